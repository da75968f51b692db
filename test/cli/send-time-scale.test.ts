/**
 * `send` with fractional and scaled timeouts, typed timeouts in real time, the short-timeout warning,
 * and `--test-message`: the built binary against a local HTTPS peer. Run `npm run build` first.
 */
import { describe, expect, it } from 'vitest'
import { testIntegrationNotification } from '../../src/sender/test-notification.js'
import { runCli } from '../helpers/cli.js'
import { peerForTest } from '../helpers/test-peer.js'

const peer = peerForTest

const STACK = /\n\s+at .+[:(]/

describe('send: timeouts and the time scale', () => {
  it('a fractional request timeout (1500.5ms) is delivered, not a crash', async () => {
    const p = await peer()
    const r = await runCli(['send', '--url', p.url, '--ca', p.caFile, '--request-timeout', '1500.5ms'])
    expect(r.stderr).not.toMatch(STACK)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('delivered after 1 attempt(s)')
  })

  it('--time-scale 0.0003 (timeouts of 4.5 and 6 ms) runs to an end and warns; never a crash', async () => {
    const p = await peer()
    const r = await runCli(['send', '--url', p.url, '--ca', p.caFile, '--time-scale', '0.0003'], { timeoutMs: 20_000 })
    expect(r.stderr).not.toMatch(STACK)
    expect(r.stderr).not.toContain('InvalidArgumentError')
    // Delivered, or dropped when every 4.5 ms timeout was too short for this machine: both are answers.
    expect([0, 3]).toContain(r.code)
    expect(r.stderr).toMatch(/warning: the request timeout is 4\.5 ms \(the profile's default x --time-scale 0\.0003\); below 50 ms/)
    expect(r.stderr).toMatch(/warning: the connect timeout is 6 ms/)
  })

  it('typed timeouts are real time: --time-scale 0.001 --connect-timeout 2s --request-timeout 2s waits out a 100 ms answer', async () => {
    const p = await peer([{ status: 200, delayMs: 100 }])
    const r = await runCli(['send', '--url', p.url, '--ca', p.caFile, '--time-scale', '0.001', '--connect-timeout', '2s', '--request-timeout', '2s'])
    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect(r.stdout).toMatch(/attempt 1 \(first\) HTTP 200 .*; delivered/)
    expect(r.stderr).not.toContain('warning')
  })

  it('warns about a typed timeout below 50 ms, and runs with it', async () => {
    // Every answer takes 60 ms, so every 5 ms attempt times out and the delivery is dropped after the
    // last cycle; --time-scale 0.001 brings that end within seconds (typed timeouts are not scaled).
    const p = await peer([], { status: 200, delayMs: 60 })
    const r = await runCli(['send', '--url', p.url, '--ca', p.caFile, '--request-timeout', '5ms', '--connect-timeout', '5s', '--time-scale', '0.001'])
    expect(r.stderr).toContain('warning: --request-timeout 5 ms is below 50 ms')
    expect(r.code, r.stdout + r.stderr).toBe(3)
    expect(r.stdout).toMatch(/attempt 1 \(first\) timeout \(request\)/)
    expect(r.stdout).toMatch(/attempt 17 .*timeout \(request\)/)
  })

  it('refuses durations a timer cannot hold and time scales above 1000, naming the flag', async () => {
    for (const args of [
      ['--request-timeout', '30d'],
      ['--connect-timeout', '9999999999'],
      ['--time-scale', '5000'],
      ['--count', '100001'],
      ['--seed', '-1'],
    ]) {
      const r = await runCli(['send', '--url', 'https://127.0.0.1:1/x', ...args])
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr, args.join(' ')).toContain(args[0])
    }
  })
})

describe('send --test-message', () => {
  it('sends the notification of the "Test integration" button, summary and description as Wallarm documents them', async () => {
    const p = await peer()
    const r = await runCli(['send', '--url', p.url, '--ca', p.caFile, '--test-message'])
    expect(r.code, r.stderr).toBe(0)
    const body = JSON.parse(p.requests[0]!.body) as Array<Record<string, unknown>>
    expect(body).toEqual([testIntegrationNotification()])
    expect(body[0]!.summary).toBe('[Test message] [Test partner(US)] New vulnerability detected')
    expect(body[0]!.description).toBe(
      'Notification type: vuln\nNew vulnerability was detected in your system.\nTitle: Test\nDiscovered by: \nType: Info\nThreat: Medium\nMore details:\nClient: TestCompany\nCloud: US',
    )
  })

  it('refuses --test-message with --type or --file', async () => {
    const r = await runCli(['send', '--url', 'https://127.0.0.1:1/x', '--test-message', '--type', 'vuln'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('give one of --type, --file and --test-message')
  })
})
