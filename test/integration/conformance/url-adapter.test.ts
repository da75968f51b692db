/**
 * The `--sender-url` adapter against a live, long-running sender: docs/examples/example-url-sender.mjs
 * (spawned, port 0) passes a subset of the suite; a service that answers 500 is an error
 * (FF_ERR_SENDER_EXITED with the answer), and one that drops the custom headers fails format.headers.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { runConformance } from '../../../src/conformance/runner.js'
import type { ConformanceReport } from '../../../src/conformance/types.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const certDir = `${root}.tmp/certs`
const example = `${root}docs/examples/example-url-sender.mjs`

const SUBSET = 'delivery.single,format.method-put,format.headers,format.ndjson,retry.cycle-1,retry.stops-after-2xx'

let child: ChildProcess
let senderUrl = ''
const servers: Server[] = []

/** Starts the example URL sender on 127.0.0.1:0 and reads its `listening` line. */
function startExample(): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [example, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] })
    proc.once('error', reject)
    proc.once('exit', (code) => reject(new Error(`example URL sender exited (${code}) before listening`)))
    createInterface({ input: proc.stdout! }).once('line', (line) => {
      const { url } = JSON.parse(line) as { url: string }
      resolve({ child: proc, url })
    })
  })
}

/** A plain HTTP service on 127.0.0.1:0 for the negative cases. */
async function startService(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler)
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/send`
}

function summary(report: ConformanceReport): string {
  return report.results.map((r) => `${r.id}: ${r.status}\n${r.message ?? ''}`).join('\n\n')
}

beforeAll(async () => {
  const started = await startExample()
  child = started.child
  senderUrl = started.url
})

afterAll(async () => {
  if (child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
  }
  for (const s of servers) {
    s.closeAllConnections()
    await new Promise((resolve) => s.close(resolve))
  }
})

describe('--sender-url against a live sender', () => {
  test('docs/examples/example-url-sender.mjs passes the subset', async () => {
    const report = await runConformance({ sender: { kind: 'url', url: senderUrl }, scenarios: SUBSET, certDir })
    expect(report.sender).toBe(`url: ${senderUrl}`)
    expect(report.results.map((r) => r.id).sort()).toEqual(SUBSET.split(',').sort())
    expect(summary(report)).not.toMatch(/: (failed|error)\n/)
    expect(report.totals.passed, summary(report)).toBe(6)
    // No process of its own to read: the report says the sender's side of the lag was not measured.
    expect(report.precision).toMatch(/; sender lag not measured: the runner did not start the sender/)
    expect(report.results.every((r) => r.senderLag?.startsWith('sender lag not measured'))).toBe(true)
    // The events the service answered with are recorded (delivered, attempt-end).
    const single = report.results.find((r) => r.id === 'delivery.single')!
    expect(single.events.map((e) => e.event)).toEqual(['attempt-end', 'delivered'])
    expect(single.senderEnd?.how).toBe('ended')
  }, 20_000)

  test('a service answering 500 is an error with the answer in the message', async () => {
    const url = await startService((req, res) => {
      req.resume()
      req.on('end', () => res.writeHead(500, { 'content-type': 'text/plain' }).end('sender broke'))
    })
    const report = await runConformance({ sender: { kind: 'url', url }, scenarios: 'delivery.single', certDir })
    const r = report.results[0]!
    expect(r.status).toBe('error')
    expect(r.errorCode).toBe('FF_ERR_SENDER_EXITED')
    expect(r.message).toContain('answered 500: sender broke')
  }, 15_000)

  test('a service that drops the custom headers fails format.headers with expected vs observed', async () => {
    // Forwards each delivery to the example sender with settings.headers emptied.
    const url = await startService((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { settings: { headers: Record<string, string> } }
        input.settings.headers = {}
        void request(senderUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) })
          .then(async (up) => res.writeHead(up.statusCode, { 'content-type': 'application/json' }).end(await up.body.text()))
          .catch((err: Error) => res.writeHead(502).end(err.message))
      })
    })
    const report = await runConformance({ sender: { kind: 'url', url }, scenarios: 'format.headers,delivery.single', certDir })
    const byId = new Map(report.results.map((r) => [r.id, r]))
    expect(byId.get('delivery.single')?.status, summary(report)).toBe('passed')
    const r = byId.get('format.headers')!
    expect(r.status).toBe('failed')
    expect(r.checks.some((c) => !c.passed && c.expected !== '' && c.observed !== '')).toBe(true)
    expect(r.message).toMatch(/expected .*; observed /)
  }, 15_000)
})
