/**
 * The attacks of the sample `new_hits` notifications (samples.ts): for each kind, the request
 * fields of a hit with a realistic payload, as Wallarm reports them.
 */

/** Attack kinds of `sampleHit`: each with a realistic payload. */
export type SampleAttack = 'sqli' | 'xss' | 'ptrav' | 'rce'

/** Each attack's request fields, spread into the sample hit. */
export const ATTACKS: Readonly<Record<SampleAttack, Record<string, unknown>>> = {
  sqli: {
    method: 'GET',
    path: '/api/v1/users',
    parameter: 'GET_id_value',
    point: ['get', 'id'],
    payloads: ["1' UNION SELECT username, password FROM users--"],
    type: 'sqli',
    stamps: [7965],
    response_status: 404,
  },
  xss: {
    method: 'POST',
    path: '/comments',
    parameter: 'POST_FORM_URLENCODED_text_value',
    point: ['post', 'form_urlencoded', 'text'],
    payloads: ['<script>alert(1)</script>'],
    type: 'xss',
    stamps: [1024],
    response_status: 200,
  },
  ptrav: {
    method: 'GET',
    path: '/static/../../../../etc/passwd',
    parameter: 'URI_value',
    point: ['uri'],
    payloads: ['../../../../etc/passwd'],
    type: 'ptrav',
    stamps: [2907],
    response_status: 404,
  },
  rce: {
    method: 'GET',
    path: '/cgi-bin/ping',
    parameter: 'GET_host_value',
    point: ['get', 'host'],
    payloads: ['127.0.0.1; cat /etc/passwd'],
    type: 'rce',
    stamps: [5402],
    response_status: 500,
  },
}
