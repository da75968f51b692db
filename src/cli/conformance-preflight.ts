/**
 * What `conformance` checks before the first scenario starts, so that a mistake costs a second and
 * one line (exit 2), not a whole run: the report files can be written, a --sender-url answers a
 * connection, a --sender-cmd's program and script files exist, and a --time-scale is not below
 * what the chosen scenarios need to be judged.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs'
import { connect } from 'node:net'
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path'
import { FakeFluentdError } from '../errors.js'

function refuse(message: string): never {
  throw new FakeFluentdError('FF_ERR_OPTION', message)
}

/** A report file (--junit, --json, --html) must be writable now: its directory exists and may be written. */
export function checkReportPath(flag: string, file: string): void {
  if (file.trim() === '') refuse(`${flag} needs a file name.`)
  const path = resolve(file)
  if (existsSync(path)) {
    if (statSync(path).isDirectory()) refuse(`${flag} ${file} is a directory; give a file name.`)
    try {
      accessSync(path, constants.W_OK)
    } catch {
      refuse(`${flag} ${file}: the file is not writable.`)
    }
    return
  }
  const dir = dirname(path)
  if (!existsSync(dir)) refuse(`${flag} ${file}: the directory ${dirname(file)} does not exist; create it or give another path.`)
  try {
    accessSync(dir, constants.W_OK)
  } catch {
    refuse(`${flag} ${file}: the directory ${dirname(file)} is not writable.`)
  }
}

/** --sender-url must accept a TCP connection (the sender is started before the run, not by it). */
export async function checkSenderUrl(url: URL, timeoutMs = 3000): Promise<void> {
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80))
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  const problem = await new Promise<string | undefined>((done) => {
    const socket = connect({ host, port })
    const timer = setTimeout(() => {
      socket.destroy()
      done(`no answer within ${timeoutMs / 1000} s`)
    }, timeoutMs)
    socket.once('connect', () => {
      clearTimeout(timer)
      socket.destroy()
      done(undefined)
    })
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      done(err.code ?? err.message)
    })
  })
  if (problem !== undefined) refuse(`--sender-url ${url.toString()}: nothing accepts connections there (${problem}); start the sender first, or check the URL.`)
}

/** Words of a command line as a shell splits simple ones (quotes kept together, no expansion). */
function words(command: string): string[] {
  return [...command.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '')
}

const SCRIPT = /\.(m?js|cjs|m?ts|py|rb|sh|php|pl)$/i

/**
 * The program of a --sender-cmd must exist (as a path, or on PATH), and so must every script file
 * it names (`node sender.mjs`). Commands with shell syntax (pipes, variables, `&&`) are left to the shell.
 */
export function checkSenderCommand(command: string, cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): void {
  if (/[|&;<>$`(){}]/.test(command)) return
  const [program, ...args] = words(command).filter((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w))
  if (program === undefined) return
  if (program.includes('/')) {
    if (!existsSync(resolve(cwd, program))) refuse(`--sender-cmd: the program ${program} does not exist (relative to ${cwd}).`)
  } else if (!onPath(program, env)) {
    refuse(`--sender-cmd: the program ${program} is not on PATH.`)
  }
  for (const arg of args) {
    if (arg.startsWith('-') || !SCRIPT.test(arg)) continue
    if (!existsSync(isAbsolute(arg) ? arg : join(cwd, arg))) refuse(`--sender-cmd: the script ${arg} does not exist (relative to ${cwd}).`)
  }
}

function onPath(program: string, env: NodeJS.ProcessEnv): boolean {
  const exts = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : ['']
  return (env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && exts.some((ext) => existsSync(join(dir, program + ext))))
}

/** A scenario as far as the time-scale check goes. */
export interface ScaledScenario {
  id: string
  defaultTimeScale: number
}

/**
 * The scenarios whose own time scale is above `timeScale`: squeezed further, their intervals fall
 * within the runner's measuring slack and they come out inconclusive.
 */
export function tooSqueezed(scenarios: readonly ScaledScenario[], timeScale: number): ScaledScenario[] {
  return scenarios.filter((s) => timeScale < s.defaultTimeScale)
}
