// The real Fluentd beside ours in bench/ingest.mjs, when FLUENTD_SRC names an extracted Fluentd source
// tree (v1.18.0 tested): in_http over TLS with every parameter at its default, `<match **> @type null`,
// one worker, on 127.0.0.1:BENCH_FL_PORT (default 24880). Needs Ruby and Fluentd's gems (on Debian:
// ruby ruby-msgpack ruby-cool.io ruby-serverengine ruby-yajl ruby-http-parser.rb ruby-sigdump
// ruby-tzinfo tzdata ruby-strptime ruby-webrick ruby-concurrent, and ruby-oj: Fluentd uses Oj when it
// can load it, as the official package does) and openssl for its certificate.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// Debian bookworm's serverengine 2.2 needs a path for SocketManager::Server.open, which Fluentd >= 1.16
// calls without one (serverengine >= 2.3 makes one up). Loaded through RUBYOPT; in_http is unchanged.
const SERVERENGINE_COMPAT = `require 'serverengine'
require 'serverengine/socket_manager'
class << ServerEngine::SocketManager::Server
  unless method_defined?(:__compat_open_with_path)
    alias_method :__compat_open_with_path, :open
    def open(path = nil)
      __compat_open_with_path(path || generate_path)
    end
  end
end
`

const answers = (port) =>
  new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', rejectUnauthorized: false, timeout: 1000 }, (res) => {
      res.resume()
      resolve(true)
    })
    req.on('error', () => resolve(false))
    req.on('timeout', () => req.destroy())
    req.end()
  })

/** Starts Fluentd; resolves to { port, pid (its worker, whose CPU counts), stop() }, or undefined without FLUENTD_SRC. */
export async function startFluentd() {
  const src = process.env.FLUENTD_SRC
  if (!src) return undefined
  const port = Number(process.env.BENCH_FL_PORT ?? 24880)
  const dir = mkdtempSync(join(tmpdir(), 'ff-bench-fluentd-'))
  const cert = join(dir, 'cert.pem')
  const key = join(dir, 'key.pem')
  const ssl = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2', '-keyout', key, '-out', cert, '-subj', '/CN=localhost'], { stdio: 'ignore' })
  if (ssl.status !== 0) throw new Error('openssl could not make the Fluentd certificate')
  writeFileSync(join(dir, 'compat.rb'), SERVERENGINE_COMPAT)
  writeFileSync(
    join(dir, 'fluent.conf'),
    `<source>\n  @type http\n  port ${port}\n  bind 127.0.0.1\n  <transport tls>\n    cert_path ${cert}\n    private_key_path ${key}\n  </transport>\n</source>\n<match **>\n  @type null\n</match>\n`,
  )
  const child = spawn('ruby', ['bin/fluentd', '-c', join(dir, 'fluent.conf')], {
    cwd: src,
    env: { ...process.env, RUBYOPT: `-r${join(dir, 'compat.rb')}` },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  let up = false
  for (let i = 0; i < 120 && child.exitCode === null && !up; i++) {
    await new Promise((r) => setTimeout(r, 500))
    up = await answers(port)
  }
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM')
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))])
    if (child.exitCode === null) child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
  if (!up) {
    await stop()
    throw new Error(`Fluentd from FLUENTD_SRC=${src} did not answer on 127.0.0.1:${port}`)
  }
  // Fluentd's supervisor runs one worker, which does the work: its CPU is what counts.
  const children = spawnSync('ps', ['-o', 'pid=', '--ppid', String(child.pid)], { encoding: 'utf8' }).stdout.trim().split(/\s+/)
  const pid = Number(children[0]) || child.pid
  return { port, pid, stop }
}
