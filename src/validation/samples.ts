import { ErrorCodes, FakeFluentdError } from '../errors.js'
import { ATTACKS, type SampleAttack } from './sample-attacks.js'

/**
 * Realistic sample notifications, one per notification type, built from the documented examples
 * (docs/design.md "Notification formats"). Each passes its schema; tests check that. Values are fixed, not
 * clock-based, so samples are deterministic; pass overrides for fresh times.
 */

type Json = Record<string, unknown>

const CLIENT = 'TestCompany'
const CLOUD = 'EU'

function envelope(type: string, summary: string, text: string | null, details: Json): Json {
  const notification: Json = {
    summary,
    details: { client_name: CLIENT, cloud: CLOUD, notification_type: type, ...details },
  }
  if (text !== null) {
    notification.description = `Notification type: ${type}\n\n${text}\n\nClient: ${CLIENT}\nCloud: ${CLOUD}\n`
  }
  return notification
}

/** Attack kinds of {@link sampleHit} (their payloads: sample-attacks.ts). */
export type { SampleAttack }

function hitNotification(attack: SampleAttack): Json {
  return envelope('new_hits', '[Wallarm] New hit detected', null, {
    hit: {
      host: 'shop.example.com',
      heur_distance: 20.714285714285715,
      remote_country: 'PL',
      remote_port: 41253,
      remote_addr4: '8.8.8.8',
      remote_addr6: null,
      datacenter: 'unknown',
      tor: 'none',
      request_time: 1703519823,
      create_time: 1703519826,
      response_len: 345,
      response_time: 359,
      regex: [],
      stamps_hash: 271168947,
      regex_hash: -2147483648,
      block_status: 'monitored',
      final_wallarm_mode: 'monitoring',
      protocol: 'rest',
      request_id: 'd2a900a6efac7a7c893a00903205071a',
      id: ['hits_production_1111_202312_v_1', 'c2dd33831a13be0d_AC9'],
      object_type: 'hit',
      anomaly: 1.0357142857142858,
      applications: ['default'],
      ...ATTACKS[attack],
    },
  })
}

const vulnText =
  'New vulnerability was detected in your system.\n\nID: \nTitle: Missing "Strict-Transport-Security" header\nDomain: shop.example.com\nPath: /\nMethod: GET\nDiscovered by: scanner\nParameter: N/A\nType: Info\nThreat: Medium\n\nMore details: https://my.wallarm.com/object/555'
const vuln: Json = {
  vuln_link: 'https://my.wallarm.com/object/555',
  vuln: {
    domain: 'shop.example.com',
    id: null,
    method: 'GET',
    parameter: 'N/A',
    path: '/',
    title: 'Missing "Strict-Transport-Security" header',
    discovered_by: 'scanner',
    threat: 'Medium',
    type: 'Info',
  },
}
const scope = (kind: string, entity: Json, objectType: string): Json =>
  envelope(
    `new_scope_object_${kind}`,
    '[Wallarm] Network perimeter has changed',
    `New ${kind === 'ips' ? 'IP addresses' : kind} were discovered in the network perimeter:\n${Object.values(entity)[1] as string}`,
    { data: [{ action: 'create', entity, object_type: objectType, object_userid: 777 }] },
  )
const user = (type: string, summary: string, text: string): Json =>
  envelope(type, summary, text, { email: 'johnsmith@example.com', role: 'Analyst', created_by: 'John Doe' })
const system = (type: string, summary: string, text: string, details: Json = {}): Json =>
  envelope(type, summary, text, details)
const threshold = (type: string, what: string, trigger: string, query: string): Json =>
  envelope(
    type,
    `[Wallarm] Trigger: The number of detected ${what} exceeded the threshold`,
    `The number of detected ${what} exceeded 1 in 1 minute.\nThis notification was triggered by the "${trigger}" trigger.\n\nView events:\nhttps://my.wallarm.com/attacks?q=${query}&time_from=1703519760&time_to=1703519820`,
    { trigger_name: trigger, link: `https://my.wallarm.com/attacks?q=${query}&time_from=1703519760&time_to=1703519820` },
  )

const TEMPLATES: Record<string, () => Json> = {
  new_hits: () => hitNotification('sqli'),
  vuln: () => envelope('vuln', '[Wallarm] New vulnerability detected', vulnText, vuln),
  vuln_high: () => envelope('vuln_high', '[Wallarm] New vulnerability detected', vulnText, { ...vuln, vuln: { ...(vuln.vuln as Json), threat: 'High' } }),
  vuln_medium: () => envelope('vuln_medium', '[Wallarm] New vulnerability detected', vulnText, vuln),
  vuln_low: () => envelope('vuln_low', '[Wallarm] New vulnerability detected', vulnText, { ...vuln, vuln: { ...(vuln.vuln as Json), threat: 'Low' } }),
  security_issue: () =>
    envelope(
      'security_issue',
      '[Wallarm] New security issue detected',
      'New security issue was detected in your system.\n\nID: 106279\nTitle: Vulnerable version of Nginx: 1.14.2\nHost: shop.example.com\nPath: \nPort: 443\nURL: https://shop.example.com/\nMethod: \nDiscovered by: AASM\nParameter: \nType: Vulnerable component\nRisk: Medium\n\nMore details: https://my.wallarm.com/object/106279',
      {
        security_issue_link: 'https://my.wallarm.com/object/106279',
        security_issue: {
          host: 'shop.example.com',
          id: 106279,
          method: null,
          parameter: null,
          path: null,
          port: 443,
          url: 'https://shop.example.com/',
          title: 'Vulnerable version of Nginx: 1.14.2',
          discovered_by: 'AASM',
          risk: 'Medium',
          type: 'Vulnerable component',
        },
      },
    ),
  ip_blocked: () =>
    envelope(
      'ip_blocked',
      '[Wallarm] Trigger: New IP address was denylisted',
      'IP address 1.1.1.1 was denylisted until 2024-01-19 15:02:16 +0300 for the reason Produces many attacks. You can review blocked IP addresses in the "Denylist" section of Wallarm Console.\nThis notification was triggered by the "Notification about denylisted IP" trigger. The IP is blocked for the application default.',
      {
        trigger_name: 'Notification about denylisted IP',
        application: 'default',
        reason: 'Produces many attacks',
        expire_at: '2024-01-19 15:02:16 +0300',
        ip: '1.1.1.1',
      },
    ),
  new_scope_object_ips: () => scope('ips', { id: 2, ip: '8.8.8.8' }, 'subnetorip'),
  new_scope_object_domains: () => scope('domains', { id: 3, domain: 'api.example.com' }, 'domain'),
  new_scope_object_services: () => scope('services', { id: 4, ip: '8.8.8.8', port: 8443 }, 'service'),
  create_user: () =>
    user(
      'create_user',
      '[Wallarm] Trigger: New user was added to the company account',
      'A new user John Smith <johnsmith@example.com> with the role Analyst was added to the company account by John Doe <johndoe@example.com>.\nThis notification was triggered by the "Added user" trigger.',
    ),
  delete_user: () =>
    user('delete_user', '[Wallarm] User was deleted from the company account', 'The user John Smith <johnsmith@example.com> was deleted from the company account by John Doe <johndoe@example.com>.'),
  update_user: () =>
    user('update_user', '[Wallarm] User role was changed', 'The role of the user John Smith <johnsmith@example.com> was changed to Analyst by John Doe <johndoe@example.com>.'),
  delete_integration: () =>
    system('delete_integration', '[Wallarm] Integration was deleted', 'The Fluentd integration "SIEM via Fluentd" was deleted by John Doe <johndoe@example.com>.'),
  disable_integration: () =>
    system('disable_integration', '[Wallarm] Integration was disabled', 'The Fluentd integration "SIEM via Fluentd" was disabled by John Doe <johndoe@example.com>.'),
  integration_broken: () =>
    system('integration_broken', '[Wallarm] Integration was disabled due to incorrect settings', 'The Fluentd integration "SIEM via Fluentd" was disabled automatically: 60% of requests within 12 hours were unsuccessful.'),
  create_application: () =>
    system('create_application', '[Wallarm] New application was created', 'A new application "Shop" (ID 8) was created by John Doe <johndoe@example.com>.'),
  delete_application: () =>
    system('delete_application', '[Wallarm] Application was deleted', 'The application "Shop" (ID 8) was deleted by John Doe <johndoe@example.com>.'),
  update_application: () =>
    system('update_application', '[Wallarm] Application name was changed', 'The application "Shop" (ID 8) was renamed to "Web shop" by John Doe <johndoe@example.com>.'),
  rule_create: () => system('rule_create', '[Wallarm] New rule was created', 'A new rule "Mask the Authorization header" was created by John Doe <johndoe@example.com>.'),
  rule_update: () => system('rule_update', '[Wallarm] Rule was changed', 'The rule "Mask the Authorization header" was changed by John Doe <johndoe@example.com>.'),
  rule_delete: () => system('rule_delete', '[Wallarm] Rule was deleted', 'The rule "Mask the Authorization header" was deleted by John Doe <johndoe@example.com>.'),
  trigger_create: () =>
    system('trigger_create', '[Wallarm] New trigger was created', 'A new trigger "Notification about SQLi hits" was created by John Doe <johndoe@example.com>.', { trigger_name: 'Notification about SQLi hits' }),
  trigger_update: () =>
    system('trigger_update', '[Wallarm] Trigger was changed', 'The trigger "Notification about SQLi hits" was changed by John Doe <johndoe@example.com>.', { trigger_name: 'Notification about SQLi hits' }),
  trigger_delete: () =>
    system('trigger_delete', '[Wallarm] Trigger was deleted', 'The trigger "Notification about SQLi hits" was deleted by John Doe <johndoe@example.com>.', { trigger_name: 'Notification about SQLi hits' }),
  attacks_exceeded: () => threshold('attacks_exceeded', 'hits', 'Notification about SQLi hits', 'attacks'),
  incidents_exceeded: () => threshold('incidents_exceeded', 'incidents', 'Notification about incidents', 'incidents'),
  api_structure_changed: () =>
    envelope(
      'api_structure_changed',
      '[wallarm] A new endpoint has been discovered in your API',
      'The new GET example.com/users endpoint has been discovered in your API.',
      {
        partner_name: 'Test partner',
        language: 'en',
        application: 'Application 1802',
        domain: 'example.com',
        endpoint_path: '/users',
        http_method: 'GET',
        change_type: 'added',
        link: 'https://my.wallarm.com/api-discovery?instance=1802&method=GET&q=example.com%2Fusers',
        changed_parameters: [{ point: ['header', 'ACCEPT'], name: 'ACCEPT', type: 'header', change_type: 'new' }],
      },
    ),
  api_comparison_result: () =>
    envelope(
      'api_comparison_result',
      '[wallarm] A new shadow endpoint has been discovered in your API',
      'The new GET example.com/users shadow endpoint has been discovered in your API.',
      {
        application: 'Application-01',
        api_host: 'example.com',
        endpoint_path: '/users',
        http_method: 'GET',
        type_of_endpoint: 'shadow',
        link: 'https://my.wallarm.com/api-discovery?instance=1802&method=GET&q=example.com%2Fusers',
        specification_name: 'Specification-01',
      },
    ),
  compromised_logins: () =>
    envelope(
      'compromised_logins',
      '[wallarm] Stolen credentials detected',
      'Stolen credentials have been detected in your incoming traffic:\n\nCompromised accounts: user-01@company.com\nAssociated URL: localhost/login\nLink: https://my.wallarm.com/attacks/?q=attacks+credential_stuffing',
      { link: 'https://my.wallarm.com/attacks/?q=attacks+credential_stuffing' },
    ),
  number_of_requests_per_hour: () =>
    system('number_of_requests_per_hour', '[Wallarm] Number of requests processed in 1 hour', 'Requests processed during the previous hour: 184213.'),
}

const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Deep-merges `overrides` into `target` (plain objects merge, anything else replaces, `undefined` deletes). */
function merge(target: Json, overrides: Json): void {
  for (const key of Object.keys(overrides)) {
    if (UNSAFE_KEYS.has(key)) continue
    const value = overrides[key]
    if (value === undefined) delete target[key]
    else if (isPlainObject(value) && isPlainObject(target[key])) merge(target[key] as Json, value)
    else target[key] = structuredClone(value)
  }
}

/** The notification types that have a sample: the same list as the validator's `types`, sorted. */
export function sampleTypes(): string[] {
  return Object.keys(TEMPLATES).sort()
}

/**
 * A fresh deep copy of a realistic notification of `type` that passes its schema, with `overrides`
 * deep-merged in (plain objects merge, other values replace, `undefined` deletes a key; `__proto__`,
 * `constructor` and `prototype` keys are ignored). `new_hits` is a SQL injection hit; see {@link sampleHit}
 * for others. An unknown type throws FF_ERR_OPTION listing the known ones.
 */
export function sampleNotification(type: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const template = Object.hasOwn(TEMPLATES, type) ? TEMPLATES[type] : undefined
  if (template === undefined) {
    throw new FakeFluentdError(ErrorCodes.FF_ERR_OPTION, `no sample for notification type "${type}"; known: ${sampleTypes().join(', ')}`)
  }
  // Templates share nested constants (the vulnerability, attack arrays): clone so callers own their copy.
  const notification = structuredClone(template())
  merge(notification, overrides)
  return notification
}

/**
 * A fresh `new_hits` notification for one attack with a realistic payload: `sqli`
 * (`1' UNION SELECT ...`), `xss` (`<script>alert(1)</script>`), `ptrav` (`../../../../etc/passwd`) or
 * `rce` (`127.0.0.1; cat /etc/passwd`), with `overrides` as in {@link sampleNotification}.
 */
export function sampleHit(attack: SampleAttack, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  if (!Object.hasOwn(ATTACKS, attack)) {
    throw new FakeFluentdError(ErrorCodes.FF_ERR_OPTION, `no sample attack "${String(attack)}"; known: ${Object.keys(ATTACKS).join(', ')}`)
  }
  const notification = structuredClone(hitNotification(attack))
  merge(notification, overrides)
  return notification
}
