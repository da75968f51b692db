/**
 * Sample notifications the scenarios hand to the sender: real Wallarm shapes (ip_blocked,
 * new_scope_object_ips, create_user; see docs/design.md "Notification formats"), each made unique by `n`
 * so that every delivery of a scenario has its own body (the journal groups attempts by body).
 */

/** The notification types the samples cover. */
export const sampleTypes = ['ip_blocked', 'new_scope_object_ips', 'create_user'] as const
export type SampleType = (typeof sampleTypes)[number]

/** A valid notification of `type`, distinct for each `n` (0..65535). */
export function sampleNotification(n: number, type: SampleType = 'ip_blocked'): Record<string, unknown> {
  const ip = `198.51.${Math.floor(n / 256) % 256}.${n % 256}`
  switch (type) {
    case 'ip_blocked':
      return {
        summary: '[Wallarm] Trigger: New IP address was denylisted',
        description:
          `Notification type: ip_blocked\n\nIP address ${ip} was denylisted until 2026-06-10 02:27:15 +0300 for the reason Produces many attacks. ` +
          'You can review blocked IP addresses in the "Denylist" section of Wallarm Console.\n' +
          'This notification was triggered by the "Notification about denylisted IP" trigger. The IP is blocked for the application Application #8.\n\n' +
          'Client: TestCompany\nCloud: EU\n',
        details: {
          client_name: 'TestCompany',
          cloud: 'EU',
          notification_type: 'ip_blocked',
          trigger_name: 'Notification about denylisted IP',
          application: 'Application #8',
          reason: 'Produces many attacks',
          expire_at: '2026-06-10 02:27:15 +0300',
          ip,
        },
      }
    case 'new_scope_object_ips':
      return {
        summary: '[Wallarm] Network perimeter has changed',
        description: `Notification type: new_scope_object_ips\n\nNew IP addresses were discovered in the network perimeter:\n${ip}\n\nClient: TestCompany\nCloud: US`,
        details: {
          client_name: 'TestCompany',
          cloud: 'US',
          notification_type: 'new_scope_object_ips',
          data: [{ action: 'create', entity: { id: 2 + n, ip }, object_type: 'subnetorip', object_userid: 777 }],
        },
      }
    case 'create_user':
      return {
        summary: '[Wallarm] Trigger: New user was added to the company account',
        description:
          `Notification type: create_user\n\nA new user John Smith <john.smith.${n}@example.com> with the role Analyst was added to the company account by John Doe <johndoe@example.com>.\n` +
          'This notification was triggered by the "Added user" trigger.\n\nClient: TestCompany\nCloud: EU',
        details: {
          client_name: 'TestCompany',
          cloud: 'EU',
          notification_type: 'create_user',
        },
      }
  }
}
