/**
 * The command catalogue of flags.property.test.ts: for each command, its flags with the values a user
 * might type (src/cli/commands/*.ts), how a run of it ends, and how many runs the property makes.
 * Values `@name` stand for the test's fixtures (files, a busy port, the certificate directory).
 */
import fc from 'fast-check'
import { durationText, numberText, oneOf, type FlagSpec } from './values.js'

/** A fixture drawn by name (`@name`, resolved when the run starts), or a path that is not one. */
const fileValue = (...names: string[]): fc.Arbitrary<string> => oneOf(names.map((n) => `@${n}`), fc.constantFrom('/nonexistent/x.json', '.', ''))
const port = oneOf(['0', 'any', '@busy', '-1', '65536', '1.5', 'abc', ' 0', '0x0', '99999999999'])

/** The admin flags serve and demo share (src/cli/admin-flags.ts). */
const adminFlags: FlagSpec[] = [
  { flag: '--admin-allowed-host', value: oneOf(['fluentd.example', 'any', '127.0.0.1']) },
  { flag: '--admin-token', value: oneOf(['s3cret-token-0123456789', 'x']) },
  { flag: '--admin-stream-buffer', value: oneOf(['64k', '1k', '1', '0', '1g']) },
  { flag: '--admin-max-streams', value: oneOf(['1', '16'], numberText) },
  { flag: '--admin-stream-replay', value: oneOf(['1', '1000'], numberText) },
]

export interface CommandSpec {
  name: string
  /** First on the command line, so that no generated flag can swallow them as its value. */
  base: string[]
  flags: FlagSpec[]
  positional?: fc.Arbitrary<string[]>
  /** A long-running command: once this shows, it is stopped with `signal` and must exit 0. */
  ready?: { pattern: RegExp; signal: NodeJS.Signals }
  /** Exit codes that mean "ran" (2 is always allowed, with a flag named). */
  ok: number[]
  runs: number
  /** Counterexamples found by longer runs (FF_CLI_RUNS, other seeds), replayed every time. */
  examples?: Array<[string[], string[]]>
}

export const commands: CommandSpec[] = [
  {
    name: 'send',
    base: ['send', '--dry-run', '--url', 'https://127.0.0.1:9/wallarm'],
    flags: [
      { flag: '--url', value: oneOf(['https://127.0.0.1:9/wallarm', 'http://localhost:1/x', 'https://[::1]:1/t', 'ftp://x', 'not a url', 'https://127.0.0.1:99999/x']) },
      { flag: '--method', value: oneOf(['POST', 'PUT', 'GET', 'post']) },
      { flag: '--header', value: oneOf(['X-A: b', 'X-Auth-Token:abc', 'X:', ': v', 'no-colon', 'X-Ü: ü']) },
      { flag: '--ca', value: fileValue('ca', 'notJson') },
      { flag: '--insecure' },
      { flag: '--format', value: oneOf(['json', 'ndjson', 'xml']) },
      { flag: '--request-timeout', value: oneOf(['2s', '1500.5ms', '5ms', '30s'], durationText) },
      { flag: '--connect-timeout', value: oneOf(['2s', '20ms', '1m'], durationText) },
      { flag: '--time-scale', value: oneOf(['0.001', '0.0003', '0.01', '1', '1000'], numberText) },
      { flag: '--profile', value: oneOf(['wallarm', 'exponential-jitter', 'nope', '@profile', '@badProfile', '@notJson']) },
      { flag: '--type', value: oneOf(['new_hits', 'vuln', 'create_user', 'nope']) },
      { flag: '--file', value: fileValue('notification', 'ndjson', 'notJson', 'empty') },
      { flag: '--count', value: oneOf(['1', '3', '10000'], numberText) },
      { flag: '--seed', value: oneOf(['0', '7', '4294967295'], numberText) },
      { flag: '--test-message' },
    ],
    ok: [0],
    runs: 30,
  },
  {
    name: 'serve',
    base: ['serve', '--port', '0', '--admin-port', '0', '--cert-dir', '@certs'],
    flags: [
      { flag: '--port', value: port },
      { flag: '--bind', value: oneOf(['127.0.0.1', 'localhost', 'a b', '999.1.1.1']) },
      { flag: '--no-tls' },
      { flag: '--cert-dir', value: oneOf(['@certs', '/proc/nope']) },
      { flag: '--cert', value: fileValue('cert', 'ca') },
      { flag: '--key', value: fileValue('key', 'cert') },
      { flag: '--ca', value: fileValue('ca') },
      { flag: '--host', value: oneOf(['fluentd.example', '10.0.0.7', 'ü.example', '*.example.com', '999.999.1.1']) },
      { flag: '--tls-version', value: oneOf(['1.2', '1.3', '1.2+', '1.1']) },
      { flag: '--admin-port', value: oneOf(['0', 'any', 'off', '@busy', '-1', '65536', 'x']) },
      { flag: '--admin-bind', value: oneOf(['127.0.0.1', 'localhost', 'a b']) },
      { flag: '--journal', value: oneOf(['journal.ndjson', '/proc/nope/j.ndjson', '.']) },
      { flag: '--journal-max', value: oneOf(['1', '100', '10000'], numberText) },
      { flag: '--require-header', value: oneOf(['X-Token: abc', 'X-Token:', 'bad header', ':x']) },
      { flag: '--validate', value: oneOf(['off', 'warn', 'strict', 'on']) },
      { flag: '--output', value: oneOf(['fluentd', 'json', 'none', 'xml']) },
      { flag: '--body-limit', value: oneOf(['32m', '1k', '0', '1g', '10t', '-1'], numberText) },
      { flag: '--idle-timeout', value: oneOf(['10s', '0', '500ms'], durationText) },
      { flag: '--keep-alive-timeout', value: oneOf(['10s', '0', '2s'], durationText) },
      { flag: '--max-record-depth', value: oneOf(['1000', '1', '20', '1001', '0'], numberText) },
      { flag: '--max-header-size', value: oneOf(['16k', '1k', '1m', '512', '2m'], numberText) },
      { flag: '--header-timeout', value: oneOf(['10s', '0', '1m'], durationText) },
      { flag: '--request-timeout', value: oneOf(['30s', '0', '2m'], durationText) },
      { flag: '--max-connections', value: oneOf(['1', '100', '1000'], numberText) },
      { flag: '--inflate-limit', value: oneOf(['32m', '1k', '0', '10g', 'x', '-1'], numberText) },
      { flag: '--max-records', value: numberText },
      { flag: '--max-record-size', value: oneOf(['1m', '1', '0', '64k', 'big'], numberText) },
      { flag: '--journal-max-bytes', value: oneOf(['64m', '1k', '0', 'lots'], numberText) },
      { flag: '--journal-body-max', value: oneOf(['64k', '0', '1m', '-5'], numberText) },
      { flag: '--delivery-state-max', value: oneOf(['16m', '4k', '100', 'x'], numberText) },
      { flag: '--strict-parse' },
      { flag: '--use-204' },
      { flag: '--seed', value: oneOf(['0', '7', '4294967295'], numberText) },
      { flag: '--fault', value: oneOf(['500x3,200', '103', 'hang', 'dealy=5s', '200', 'PUT 500', 'slow=1s:101', 'delay=99999999999h']) },
      { flag: '--faults', value: fileValue('plan', 'badPlan', 'notJson', 'empty') },
      { flag: '--config', value: fileValue('serveConfig', 'notJson', 'empty', 'plan') },
      ...adminFlags,
    ],
    ready: { pattern: /^fake-fluentd ready /m, signal: 'SIGTERM' },
    ok: [],
    runs: 18,
    // mkdir -p under /proc looped for ever on Node 20.
    examples: [[['--cert-dir=/proc/nope', '--require-header', 'X-Token: abc'], []]],
  },
  {
    name: 'demo',
    base: ['demo', '--port', '0', '--admin-port', '0', '--no-color'],
    flags: [
      { flag: '--scenario', value: oneOf(['retry', 'timeout', 'auto-disable', 'recovery', 'nope']) },
      { flag: '--time-scale', value: oneOf(['0.02', '0.001', '1', '1000'], numberText) },
      { flag: '--port', value: port },
      { flag: '--admin-port', value: port },
      { flag: '--bind', value: oneOf(['127.0.0.1', 'localhost', 'a b']) },
      { flag: '--tls' },
      { flag: '--cert-dir', value: oneOf(['@certs', '/proc/nope']) },
      { flag: '--exit' },
      { flag: '--no-color' },
      ...adminFlags,
    ],
    ready: { pattern: /^ {2}page {5}http/m, signal: 'SIGINT' },
    // --exit with a tiny time scale may end the story (exit 1 when it did not go as told) before the signal.
    ok: [1],
    runs: 8,
  },
  {
    name: 'validate',
    base: ['validate'],
    flags: [{ flag: '--json' }, { flag: '--format', value: oneOf(['auto', 'json', 'ndjson', 'yaml']) }],
    positional: fc.array(fileValue('notification', 'ndjson', 'notJson', 'empty'), { minLength: 1, maxLength: 3 }),
    ok: [0, 1],
    runs: 14,
    examples: [[['--format', 'ndjson'], ['']]],
  },
  {
    name: 'certs',
    base: ['certs', '--cert-dir', '@certs'],
    flags: [
      { flag: '--cert-dir', value: oneOf(['@certs', '/proc/nope']) },
      { flag: '--host', value: oneOf(['localhost', '127.0.0.1', 'a b', '999.999.1.1', '-x']) },
      { flag: '--json' },
    ],
    ok: [0],
    runs: 8,
    examples: [[['--host=127.0.0.1', '--cert-dir=/proc/nope'], []]],
  },
  {
    name: 'replay',
    base: ['replay', '@journal', '--url', 'http://127.0.0.1:9/', '--no-wait'],
    flags: [
      { flag: '--url', value: oneOf(['http://127.0.0.1:9/', 'https://[::1]:1/', 'ftp://x', 'not a url']) },
      { flag: '--speed', value: oneOf(['1', '10', '0.5'], numberText) },
      { flag: '--no-wait' },
      { flag: '--header', value: oneOf(['X-A: b', 'no-colon']) },
      { flag: '--ca', value: fileValue('ca', 'notJson') },
      { flag: '--insecure' },
    ],
    // Nothing listens on port 9: every request goes unanswered (exit 1).
    ok: [0, 1],
    runs: 8,
  },
  {
    name: 'conformance --list',
    base: ['conformance', '--list'],
    flags: [
      { flag: '--sender', value: oneOf(['builtin', 'nope']) },
      { flag: '--sender-cmd', value: oneOf(['node x.mjs']) },
      { flag: '--sender-url', value: oneOf(['http://127.0.0.1:1/', 'nope']) },
      { flag: '--scenarios', value: oneOf(['delivery.*', 'retry', '!tls.*', 'nope.*']) },
      { flag: '--protocol', value: oneOf(['http', 'forward', 'udp']) },
      { flag: '--profile', value: oneOf(['wallarm', '@profile', 'nope']) },
      { flag: '--time-scale', value: oneOf(['0.05', '1'], numberText) },
      { flag: '--tolerance-ms', value: oneOf(['60', '0'], numberText) },
      { flag: '--tolerance-rel', value: oneOf(['0.2', '0'], numberText) },
      { flag: '--concurrency', value: oneOf(['2', '8'], numberText) },
      { flag: '--startup-timeout', value: oneOf(['30s', '500ms'], durationText) },
      { flag: '--junit', value: oneOf(['j.xml']) },
      { flag: '--json', value: oneOf(['r.json']) },
      { flag: '--html', value: oneOf(['r.html']) },
      { flag: '--cert-dir', value: oneOf(['@certs']) },
      { flag: '--quiet' },
      { flag: '--retry-inconclusive', value: oneOf(['0', '2', '5', '6'], numberText) },
    ],
    ok: [0],
    runs: 10,
  },
]
