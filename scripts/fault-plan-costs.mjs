#!/usr/bin/env node
// Issue 19 item 4 through a real `serve`: what plans a user gives cost the server. Times PUT
// /api/faults of oversized plans (nested, a 400 KB tag glob) and requests against a 256-character
// glob (16 KB tags) and the backtracking header regex ^(a+)+$ (a's then '!'). Each request waits at
// most --timeout seconds. Prints one line per probe: name, status (or "no answer"), ms.
//
//   node scripts/fault-plan-costs.mjs [--cli dist/cli/main.js] [--admin-port 0] [--timeout 10]
//
// --cli may name another build (an old commit built in a temporary worktree) to compare; builds
// before `--admin-port off` existed read 0 as "off": give them --admin-port any.
import { fail, probeArgs, startServe } from './probe-tools.mjs'

const NAME = 'fault-plan-costs'
const USAGE = 'usage: fault-plan-costs.mjs [--cli dist/cli/main.js] [--admin-port 0] [--timeout 10]'
const { values, cli } = probeArgs(NAME, USAGE, { 'admin-port': '0', timeout: '10' })
const timeoutMs = Number(values.timeout) * 1000
if (!(timeoutMs > 0)) fail(NAME, `--timeout takes seconds above 0, not ${JSON.stringify(values.timeout)}`)
const { child, ingest, admin } = await startServe(NAME, cli, ['--admin-port', values['admin-port']])
if (!/^http/.test(admin)) {
  child.kill('SIGKILL')
  fail(NAME, `serve started without its admin API (admin=${admin}): give --admin-port any to a build that reads 0 as off`)
}

async function timed(name, url, init) {
  const t0 = performance.now()
  let status
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) })
    const text = await res.text()
    status = res.status >= 400 ? `${res.status} ${(JSON.parse(text || '{}').detail ?? '').slice(0, 110)}` : res.status
  } catch {
    status = `no answer in ${timeoutMs / 1000} s`
  }
  console.log(`${name.padEnd(34)} ${status}  ${Math.round(performance.now() - t0)} ms`)
}
const put = (name, body) => timed(name, `${admin}/api/faults`, { method: 'PUT', body, headers: { 'content-type': 'application/json' } })
const post = (name, path, headers = {}) => timed(name, `${ingest}${path}`, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json', ...headers } })
const rule = (match) => JSON.stringify({ rules: [{ match, steps: [{ status: 503 }] }] })

try {
  await put('PUT 200,000 nested objects', '{"":'.repeat(200_000) + '1' + '}'.repeat(200_000))
  await put('PUT 250,000 nested objects', '{"":'.repeat(250_000) + '1' + '}'.repeat(250_000))
  await put('PUT a 400 KB tag glob', rule({ tag: 'a*'.repeat(200_000) }))
  await put('PUT a 256-character tag glob', rule({ tag: 'a.' + '*x'.repeat(127) }))
  for (let i = 1; i <= 2; i++) await post(`  POST a 16 KB tag (miss) #${i}`, `/a.${'x'.repeat(16_000)}y`)
  await put('PUT header regex ^(a+)+$', rule({ header: { 'X-Id': { regex: '^(a+)+$' } } }))
  for (const n of [20, 24, 26, 28, 5000]) await post(`  POST X-Id: ${n} a's then !`, '/t', { 'x-id': 'a'.repeat(n) + '!' })
} finally {
  child.kill('SIGKILL')
}
