/**
 * The notification Wallarm sends when the user clicks "Test integration" on a Fluentd integration
 * card. The summary and description are the "test Fluentd log" of Wallarm's Fluentd integration
 * page, line for line; the details (which that page does not show) are those of the documented
 * `vuln` test message, so that the notification passes the `vuln` schema.
 * @see docs/design.md "Notification formats"
 */

/** A fresh copy of the "Test integration" notification (type `vuln`). */
export function testIntegrationNotification(): Record<string, unknown> {
  return {
    summary: '[Test message] [Test partner(US)] New vulnerability detected',
    description: [
      'Notification type: vuln',
      'New vulnerability was detected in your system.',
      'Title: Test',
      'Discovered by: ',
      'Type: Info',
      'Threat: Medium',
      'More details:',
      'Client: TestCompany',
      'Cloud: US',
    ].join('\n'),
    details: {
      client_name: 'TestCompany',
      cloud: 'US',
      notification_type: 'vuln',
      vuln_link: 'https://us1.my.wallarm.com/object/555',
      vuln: {
        domain: 'example.com',
        id: null,
        method: null,
        parameter: null,
        path: null,
        title: 'Test',
        discovered_by: null,
        threat: 'Medium',
        type: 'Info',
      },
    },
  }
}
