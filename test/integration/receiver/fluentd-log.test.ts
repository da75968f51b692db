/** in_http parity (see parity.test.ts): Fluentd's own log lines, printed under --output fluentd next to the events. */
import { describe, expect, it } from 'vitest'
import { waitFor } from '../../helpers/receiver.js'
import { parityReceiver, post } from './parity-shared.js'

const p = parityReceiver()
const { send } = p

describe("Fluentd's own log lines (--output fluentd, on stdout next to the events)", () => {
  const TIME = '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d [+-]\\d{4}'
  const line = (text: string) => new RegExp(`^${TIME} ${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm')
  const printedAfter = async (send: () => Promise<unknown>, expected: string) => {
    const start = p.printed.length
    await send()
    await waitFor(() => line(expected).test(p.printed.slice(start)))
    expect(p.printed.slice(start)).toMatch(line(expected))
  }

  it('400 for a missing parameter: [error] failed to process request, RuntimeError', async () => {
    await printedAfter(() => send(post('/lg', '{"a":1}')), `[error]: #0 failed to process request error_class=RuntimeError error="'json', 'ndjson' or 'msgpack' parameter is required"`)
  })

  it('400 for a string time: [error] TypeError', async () => {
    await printedAfter(
      () => send(post('/lg', '[{"time":"2020-01-01"}]', { 'Content-Type': 'application/json' })),
      `[error]: #0 failed to process request error_class=TypeError error="can't convert String into an exact number"`,
    )
  })

  it('malformed msgpack: [error] MessagePack::MalformedFormatError', async () => {
    await printedAfter(
      () => send(post('/lg', Buffer.from([0xc1, 0xc1]), { 'Content-Type': 'application/msgpack' })),
      '[error]: #0 failed to process request error_class=MessagePack::MalformedFormatError error="invalid byte"',
    )
  })

  it('a body that does not decode: [warn] fails to decode payload', async () => {
    await printedAfter(() => send(post('/lg', 'not gzip', { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' })), '[warn]: #0 fails to decode payload error="not in gzip format"')
  })

  it('a garbage request line: [warn] unexpected error from the HTTP parser', async () => {
    const start = p.printed.length
    await send('hello world\r\n\r\n', 1000)
    await waitFor(() => /unexpected error/.test(p.printed.slice(start)))
    expect(p.printed.slice(start)).toMatch(new RegExp(`^${TIME} \\[warn\\]: #0 unexpected error error="Could not parse data entirely \\(\\d+ != 15\\)"$`, 'm'))
  })

  it('the time has no fraction and events still print as before', async () => {
    await send(post('/lg.ok', '{"ok":1}', { 'Content-Type': 'application/json' }))
    await waitFor(() => p.printed.includes('lg.ok: {"ok":1}'))
    expect(p.printed).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{9} [+-]\d{4} lg\.ok: \{"ok":1\}$/m)
  })
})
