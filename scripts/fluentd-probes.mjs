// The probes of scripts/compare-fluentd.mjs: raw HTTP/1.x requests, each sent on its own TLS
// connection. A probe is { name, parts: (string | Buffer | 'CLOSE')[], gapMs?, alpn? }.
import { gzipSync, deflateSync } from 'node:zlib'
import { encode } from '@msgpack/msgpack'

const CRLF = '\r\n'

/** One request with a Content-Length; `headers` may override Host (null leaves it out). */
function req(method, path, body = '', headers = {}, version = '1.1') {
  const b = typeof body === 'string' ? Buffer.from(body) : body
  const head = [`${method} ${path} HTTP/${version}`]
  const all = { Host: 'localhost', ...headers }
  for (const [k, v] of Object.entries(all)) if (v !== null) head.push(`${k}: ${v}`)
  if (!('Content-Length' in headers) && (b.length > 0 || method === 'POST')) head.push(`Content-Length: ${b.length}`)
  return Buffer.concat([Buffer.from(head.join(CRLF) + CRLF + CRLF), b])
}
const json = { 'Content-Type': 'application/json' }
const post = (path, body, headers = json) => req('POST', path, body, headers)
const p = (name, ...parts) => ({ name, parts })

export const probes = [
  // JSON bodies
  p('json object', post('/j.obj', '{"a":1,"b":"é"}')),
  p('json array of objects', post('/j.arr', '[{"a":1},{"b":2}]')),
  p('json array with scalars', post('/j.mixed', '[{"a":1},2,"x",null]')),
  p('json empty array', post('/j.empty', '[]')),
  p('json scalar string', post('/j.str', '"str"')),
  p('json scalar number', post('/j.num', '42')),
  p('json invalid', post('/j.bad', '{nope')),
  p('json two documents', post('/j.two', '{"a":1}{"b":2}')),
  p('json empty body', post('/j.none', '')),
  p('json charset param', post('/j.cs', '{"a":1}', { 'Content-Type': 'application/json; charset=utf-8' })),
  p('json uppercase type', post('/j.up', '{"a":1}', { 'Content-Type': 'APPLICATION/JSON' })),
  p('json nested deep', post('/j.deep', '{"a":' + '['.repeat(50) + ']'.repeat(50) + '}')),
  p('json unicode escapes', post('/j.uni', '{"s":"\\u00e9\\ud83d\\ude00"}')),
  p('json big integer', post('/j.bigint', '{"n":12345678901234567890}')),
  p('json float', post('/j.float', '{"f":1.5e3}')),
  // NDJSON
  p('ndjson lines', post('/n.lines', '{"a":1}\n{"b":2}\n', { 'Content-Type': 'application/x-ndjson' })),
  p('ndjson crlf and blank', post('/n.crlf', '{"a":1}\r\n\n{"b":2}', { 'Content-Type': 'application/x-ndjson' })),
  p('ndjson bad line', post('/n.bad', '{"a":1}\nbad\n', { 'Content-Type': 'application/x-ndjson' })),
  p('ndjson array line', post('/n.arr', '[{"a":1},{"b":2}]\n', { 'Content-Type': 'application/x-ndjson' })),
  // Other content types
  p('csp-report', post('/c.csp', '{"csp-report":{"x":1}}', { 'Content-Type': 'application/csp-report' })),
  p('form json=', post('/f.json', 'json=' + encodeURIComponent('{"x":"a b"}'), { 'Content-Type': 'application/x-www-form-urlencoded' })),
  p('form ndjson=', post('/f.nd', 'ndjson=' + encodeURIComponent('{"x":1}\n{"y":2}'), { 'Content-Type': 'application/x-www-form-urlencoded' })),
  p('form without field', post('/f.none', 'other=1', { 'Content-Type': 'application/x-www-form-urlencoded' })),
  p('form bad json', post('/f.bad', 'json=%7Bnope', { 'Content-Type': 'application/x-www-form-urlencoded' })),
  p('multipart ndjson', post('/m.nd', '--XX\r\nContent-Disposition: form-data; name="ndjson"\r\n\r\n{"m":1}\n{"m":2}\r\n--XX--\r\n', { 'Content-Type': 'multipart/form-data; boundary=XX' })),
  p('multipart json', post('/m.json', '--XX\r\nContent-Disposition: form-data; name="json"\r\n\r\n{"m":1}\r\n--XX--\r\n', { 'Content-Type': 'multipart/form-data; boundary=XX' })),
  p('text/plain body', post('/t.plain', '{"a":1}', { 'Content-Type': 'text/plain' })),
  p('no content type', post('/t.none', '{"a":1}', {})),
  p('octet-stream', post('/t.oct', '{"a":1}', { 'Content-Type': 'application/octet-stream' })),
  // msgpack
  p('msgpack map', post('/mp.map', Buffer.from(encode({ a: 1 })), { 'Content-Type': 'application/msgpack' })),
  p('msgpack array and concat', post('/mp.arr', Buffer.concat([encode([{ b: 2 }, 3]), encode({ c: 3 })]), { 'Content-Type': 'application/msgpack' })),
  // Query parameters
  p('query json=', post('/q.json?json=' + encodeURIComponent('[{"q":1}]'), '', {})),
  p('query ndjson=', post('/q.nd?ndjson=' + encodeURIComponent('{"q":1}\n{"q":2}'), '', {})),
  p('query empty msgpack hides body', post('/q.prec?msgpack=', '{"a":1}')),
  p('query json= beside body', post('/q.both?json=' + encodeURIComponent('{"q":1}'), '{"a":1}')),
  p('query time=', post('/q.time?time=1603834606', '{"a":1}')),
  p('query time= float', post('/q.timef?time=1603834606.25', '{"a":1}')),
  p('query time= text', post('/q.timet?time=abc', '{"a":1}')),
  // Record time
  p('record time integer', post('/r.time', '{"a":1,"time":1603834606}')),
  p('record time float', post('/r.timef', '[{"a":1,"time":1603834606.5}]')),
  p('record time string', post('/r.times', '{"a":1,"time":"2020-10-27"}')),
  p('record time null', post('/r.timen', '{"a":1,"time":null}')),
  // Encodings
  p('gzip', post('/e.gz', gzipSync('{"z":1}'), { ...json, 'Content-Encoding': 'gzip' })),
  p('deflate', post('/e.df', deflateSync('{"z":2}'), { ...json, 'Content-Encoding': 'deflate' })),
  p('GZIP uppercase', post('/e.GZ', gzipSync('{"z":1}'), { ...json, 'Content-Encoding': 'GZIP' })),
  p('gzip that is not gzip', post('/e.bad', '{"z":1}', { ...json, 'Content-Encoding': 'gzip' })),
  p('deflate that is not deflate', post('/e.baddf', '{"z":1}', { ...json, 'Content-Encoding': 'deflate' })),
  p('br encoding', post('/e.br', '{"z":1}', { ...json, 'Content-Encoding': 'br' })),
  // Methods
  p('GET', req('GET', '/m.get')),
  p('GET with query json', req('GET', '/m.getq?json=' + encodeURIComponent('{"a":1}'))),
  p('HEAD', req('HEAD', '/m.head')),
  p('OPTIONS', req('OPTIONS', '/m.opt')),
  p('OPTIONS with Origin', req('OPTIONS', '/m.opto', '', { Origin: 'https://x.example', 'Access-Control-Request-Method': 'POST' })),
  p('PUT', req('PUT', '/m.put', '{"a":1}', json)),
  p('DELETE', req('DELETE', '/m.del')),
  p('PATCH', req('PATCH', '/m.patch', '{"a":1}', json)),
  // Connection handling
  p('Connection: close', post('/k.close', '{"a":1}', { ...json, Connection: 'close' })),
  p('Connection: keep-alive', post('/k.ka', '{"a":1}', { ...json, Connection: 'keep-alive' })),
  p('HTTP/1.0', req('POST', '/k.h10', '{"a":1}', json, '1.0')),
  p('HTTP/1.0 keep-alive', req('POST', '/k.h10ka', '{"a":1}', { ...json, Connection: 'keep-alive' }, '1.0')),
  p('no Host header', req('POST', '/k.nohost', '{"a":1}', { ...json, Host: null })),
  p('two pipelined requests', Buffer.concat([post('/k.pipe1', '{"a":1}'), post('/k.pipe2', '{"b":2}')])),
  p('keep-alive then close', post('/k.one', '{"a":1}'), post('/k.two', '{"b":2}', { ...json, Connection: 'close' })),
  p('Expect: 100-continue', req('POST', '/k.exp', '{"a":1}', { ...json, Expect: '100-continue' })),
  p('Expect: other', req('POST', '/k.expx', '{"a":1}', { ...json, Expect: 'something' })),
  p('chunked body', Buffer.from('POST /k.chunk HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n7\r\n{"a":1}\r\n0\r\n\r\n')),
  p('chunked bad size', Buffer.from('POST /k.chunkx HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{"a":1}\r\n0\r\n\r\n')),
  p('client half-closes after request', post('/k.half', '{"a":1}'), 'CLOSE'),
  // Tags and paths
  p('tag with slashes', post('/a/b/c', '{}')),
  p('tag with percent escape', post('/a%20b/x', '{}')),
  p('tag with double slash', post('/a//b', '{}')),
  p('tag empty', post('/', '{}')),
  p('tag unicode', post('/t\u00e9st', '{}')),
  p('tag long', post('/' + 'x'.repeat(300), '{}')),
  p('absolute-form target', req('POST', 'https://localhost/abs.tag', '{}', json)),
  // Malformed requests
  p('garbage request line', Buffer.from('hello world\r\n\r\n')),
  p('lowercase method', req('post', '/bad.lower', '{}', json)),
  p('HTTP/2 preface', Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')),
  p('header without colon', Buffer.from('POST /bad.hdr HTTP/1.1\r\nHost: localhost\r\nBroken header\r\nContent-Length: 2\r\n\r\n{}')),
  p('bad content-length', Buffer.from('POST /bad.cl HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}')),
  p('two content-lengths', Buffer.from('POST /bad.cl2 HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}')),
  p('HTTP/0.9 style', Buffer.from('GET /\r\n\r\n')),
  p('unknown version', Buffer.from('POST /bad.ver HTTP/3.7\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n{}')),
  // TLS and ALPN
  { name: 'ALPN http/1.0 offered', parts: [req('POST', '/alpn.h10', '{"a":1}', json, '1.0')], alpn: ['http/1.0'] },
  { name: 'ALPN h2 only offered', parts: [post('/alpn.h2', '{"a":1}')], alpn: ['h2'] },
  { name: 'ALPN http/1.1 offered', parts: [post('/alpn.h11', '{"a":1}')], alpn: ['http/1.1'] },
  // Slowly written request
  // Last: Fluentd's msgpack parser keeps the bytes it could not parse for the next request of the
  // same input, so a malformed msgpack body changes the answer to later msgpack probes.
  p('msgpack garbage', post('/mp.bad', Buffer.from([0xc1, 0xc1]), { 'Content-Type': 'application/msgpack' })),
  { name: 'request written in pieces', parts: ['POST /slow.t HTTP/1.1\r\nHost: local', 'host\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{"a"', ':1}'], gapMs: 50 },
]
