/**
 * Attacks of the hostile mix that run once (hostile-mix.ts runs them beside the rest): junk
 * connections, the ReDoS glob and header regex with plans too big or too deep, and a pipelined TLS
 * burst. Each notes its answers through the mix's context.
 */
import { connect as netConnect, type Socket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import { request } from 'undici'
import { sleep } from './mix-tools.js'

/** What an attack needs from the running mix. */
export interface MixContext {
  ingestPort: number
  ca: string
  /** The admin API's base URL. */
  admin: string
  /** Records an answer (a status or an error) of the named attack. */
  note(name: string, value: number | string): void
  /** Records when an attack step started. */
  mark(what: string): void
  /** POSTs one attack body on the attackers' connections and notes its answer. */
  post(name: string, path: string, body: Buffer, headers?: Record<string, string>): Promise<void>
  /** Sockets destroyed when the mix ends. */
  sockets: Socket[]
}

/**
 * Junk connections: header overflow, bad request line, HTTP/2 preface, plain HTTP on the TLS port.
 */
export async function junkConnections(ctx: MixContext, count: number): Promise<void> {
  const kinds: [string, string | Buffer, boolean][] = [
    ['header-overflow', `GET /t HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`, true],
    ['bad-url', 'POST /t\u0000x HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n', true],
    ['h2-preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', true],
    ['plain-http-on-tls', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', false],
  ]
  for (let i = 0; i < count; i++) {
    const [name, bytes, tls] = kinds[i % kinds.length]!
    await new Promise<void>((resolve) => {
      const s: Socket = tls ? tlsConnect({ port: ctx.ingestPort, host: '127.0.0.1', ca: ctx.ca, servername: 'localhost' }, () => s.write(bytes)) : netConnect({ port: ctx.ingestPort, host: '127.0.0.1' }, () => s.write(bytes))
      let settled = false
      const done = (how: string): void => {
        if (settled) return
        settled = true
        clearTimeout(t)
        s.destroy()
        ctx.note(name, how)
        resolve()
      }
      const t = setTimeout(() => done('open after 5 s'), 5000)
      s.on('error', (e: Error & { code?: string }) => done(`error:${e.code ?? e.message}`))
      s.on('close', () => done('closed'))
      s.on('data', () => {})
    })
  }
}

/**
 * ReDoS: a fault rule with the glob and one with a backtracking header regex (issue 19:
 * RE2 semantics), then tags and header values that make a backtracking engine explode.
 */
export async function redosAndBadPlans(ctx: MixContext): Promise<void> {
  const plan = {
    rules: [
      { match: { tag: 'a.*x*x*x*x*x*x*x*x*y' }, steps: [{ status: 503 }] },
      { match: { header: { 'X-Id': { regex: '^(a+)+$' } } }, steps: [{ status: 503 }] },
    ],
  }
  const put = await request(`${ctx.admin}/api/faults`, { method: 'PUT', body: JSON.stringify(plan), headers: { 'content-type': 'application/json' } })
  await put.body.dump()
  ctx.note('redos-plan', put.statusCode)
  await ctx.post('redos-62', `/a.${'x'.repeat(60)}`, Buffer.from('[{"a":1}]'))
  await ctx.post('redos-match', '/a.xxxxxxxxy', Buffer.from('[{"a":1}]'))
  await ctx.post('regex-miss', '/regex', Buffer.from('[{"a":1}]'), { 'x-id': 'a'.repeat(40) + '!' })
  await ctx.post('regex-match', '/regex', Buffer.from('[{"a":1}]'), { 'x-id': 'aaaa' })
  // Plans that cost the server in proportion to their size are refused with a 400 (issue 19 item 4, 8).
  const badPlans: [string, string][] = [
    ['nested', '{"":'.repeat(200_000) + '1' + '}'.repeat(200_000)],
    ['long-glob', JSON.stringify({ rules: [{ match: { tag: 'a*'.repeat(200_000) }, steps: [{ status: 503 }] }] })],
    ['lookaround', JSON.stringify({ rules: [{ match: { header: { 'X-Id': { regex: '(?=a)a' } } }, steps: [{ status: 503 }] }] })],
    ['crlf-header', JSON.stringify({ rules: [{ steps: [{ status: 500, headers: { 'X-A': 'a\r\nb' } }] }] })],
  ]
  for (const [name, body] of badPlans) {
    ctx.mark(`bad plan: ${name}`)
    const res = await request(`${ctx.admin}/api/faults`, { method: 'PUT', body, headers: { 'content-type': 'application/json' } })
    await res.body.dump()
    ctx.note('bad-plans', res.statusCode)
  }
}

/**
 * Pipelining over TLS (issue 19 item 1): 1,500 POSTs written 100 at a time on one connection by
 * a client that reads nothing until all are written. Every one must be answered.
 */
export async function pipelinedBurst(ctx: MixContext): Promise<void> {
  ctx.mark('pipelined')
  const s = tlsConnect({ port: ctx.ingestPort, host: '127.0.0.1', ca: ctx.ca, servername: 'localhost' })
  ctx.sockets.push(s)
  let text = ''
  let ended = false
  s.on('error', () => (ended = true))
  s.on('close', () => (ended = true))
  await new Promise((resolve) => s.once('secureConnect', resolve))
  s.on('data', (d: Buffer) => (text += d.toString('latin1')))
  s.pause()
  let written: Promise<unknown> = Promise.resolve()
  for (let i = 0; i < 1500; i += 100) {
    let chunk = ''
    for (let j = i; j < i + 100; j++) chunk += `POST /pipe HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${String(j).length + 6}\r\n\r\n{"p":${j}}`
    written = new Promise((resolve) => s.write(chunk, resolve))
  }
  await written
  await sleep(300)
  s.resume()
  const count = (): number => text.split('HTTP/1.1 200 OK').length - 1
  const until = performance.now() + 30_000
  while (count() < 1500 && !ended && performance.now() < until) await sleep(50)
  ctx.note('pipelined', count())
  s.destroy()
}
