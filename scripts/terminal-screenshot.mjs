#!/usr/bin/env node
// A picture of what a command prints in a terminal: runs the built CLI (`npm run build` first) with
// FORCE_COLOR=1, keeps its stdout as it came (ANSI colours included), and renders it in Chromium
// (playwright-core; /usr/bin/chromium or FF_CHROMIUM) as a dark terminal, text only, into a PNG.
// The README's docs/screenshots/terminal.png is made with:
//
//   npm run build && node scripts/terminal-screenshot.mjs --out docs/screenshots/terminal.png -- demo --scenario recovery --exit
import { spawn } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const USAGE = 'usage: node scripts/terminal-screenshot.mjs --out FILE.png [--width PX] -- <fake-fluentd arguments>'
const root = fileURLToPath(new URL('../', import.meta.url))
const cli = `${root}dist/cli/main.js`

/** ANSI SGR codes the CLI's printers use → CSS classes of the terminal page. */
const SGR = { 1: 'b', 2: 'dim', 31: 'red', 32: 'green', 33: 'yellow', 36: 'cyan' }

/**
 * Coloured terminal output as lines of [text, classes] runs.
 * @param {string} text
 * @returns {Array<Array<[string, string]>>}
 */
export function ansiRuns(text) {
  const lines = []
  for (const raw of text.replace(/\r?\n$/, '').split('\n')) {
    const runs = []
    let classes = []
    // eslint-disable-next-line no-control-regex
    for (const part of raw.replace(/\r/g, '').split(/(\u001b\[[0-9;]*[A-Za-z])/)) {
      // eslint-disable-next-line no-control-regex
      const m = /^\u001b\[([0-9;]*)m$/.exec(part)
      if (m) {
        for (const code of (m[1] || '0').split(';')) {
          if (code === '0') classes = []
          else if (code === '22') classes = classes.filter((c) => c !== 'b' && c !== 'dim')
          else if (code === '39') classes = classes.filter((c) => c === 'b' || c === 'dim')
          else if (SGR[code]) classes.push(SGR[code])
        }
      } else if (part && !part.startsWith('\u001b')) runs.push([part, classes.join(' ')])
    }
    lines.push(runs)
  }
  return lines
}

function fail(message) {
  process.stderr.write(`terminal-screenshot: ${message}\n${USAGE}\n`)
  process.exit(2)
}

function parseArgs(argv) {
  const sep = argv.indexOf('--')
  const own = sep < 0 ? argv : argv.slice(0, sep)
  const command = sep < 0 ? [] : argv.slice(sep + 1)
  if (own.includes('--help') || own.includes('-h')) {
    process.stdout.write(`${USAGE}\n`)
    process.exit(0)
  }
  let out
  let width = 1000
  for (let i = 0; i < own.length; i++) {
    const value = own[i + 1]
    if (own[i] === '--out') {
      if (!value || !value.endsWith('.png')) fail('--out needs a file name ending in .png')
      out = resolve(value)
      i++
    } else if (own[i] === '--width') {
      if (!/^\d+$/.test(value ?? '') || Number(value) < 200 || Number(value) > 4000) fail(`--width must be a whole number of pixels 200-4000, got "${value ?? ''}"`)
      width = Number(value)
      i++
    } else fail(`unknown option "${own[i]}"`)
  }
  if (!out) fail('--out is required')
  if (command.length === 0) fail('give the fake-fluentd arguments after --, e.g. -- demo --scenario recovery --exit')
  return { out, width, command }
}

/** Runs the CLI; resolves with its stdout once it exits 0. */
function run(command) {
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, [cli, ...command], { env: { ...process.env, FORCE_COLOR: '1' }, stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (d) => (out += d.toString()))
    child.on('error', reject)
    child.on('close', (code, signal) => (code === 0 ? done(out) : reject(new Error(`fake-fluentd ${command.join(' ')} ended with ${signal ?? `exit code ${code}`}`))))
  })
}

const PAGE =
  '<!doctype html><html><head><style>' +
  'body{margin:0;background:#1e1e1e}#t{margin:0;padding:14px 18px;color:#d4d4d4;font:14px/1.45 "DejaVu Sans Mono",monospace;white-space:pre}' +
  '.b{font-weight:bold}.dim{color:#8a8a8a}.red{color:#f14c4c}.green{color:#23d18b}.yellow{color:#f5f543}.cyan{color:#29b8db}' +
  '.prompt{color:#23d18b}</style></head><body><pre id="t"></pre></body></html>'

/** Renders `lines` under a prompt line showing `command`, as text through the DOM (the output is data). */
async function render(lines, command, out, width) {
  const { chromium } = await import('playwright-core')
  const browser = await chromium.launch({
    executablePath: process.env.FF_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  })
  try {
    const page = await browser.newPage({ viewport: { width, height: 300 } })
    await page.setContent(PAGE)
    await page.evaluate(
      ([prompt, runs]) => {
        const t = document.getElementById('t')
        const p = document.createElement('span')
        p.className = 'prompt'
        p.textContent = '$ '
        t.append(p, `${prompt}\n`)
        for (const line of runs) {
          for (const [text, cls] of line) {
            const s = document.createElement('span')
            s.className = cls
            s.textContent = text
            t.append(s)
          }
          t.append('\n')
        }
      },
      [`fake-fluentd ${command.join(' ')}`, lines],
    )
    mkdirSync(dirname(out), { recursive: true })
    await page.locator('#t').screenshot({ path: out })
  } finally {
    await browser.close()
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { out, width, command } = parseArgs(process.argv.slice(2))
  try {
    const text = await run(command)
    await render(ansiRuns(text), command, out, width)
    process.stdout.write(`wrote ${out} (${text.split('\n').length - 1} lines of output)\n`)
  } catch (err) {
    process.stderr.write(`terminal-screenshot: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exit(1)
  }
}
