// Child process for bench/ingest.mjs: starts one server (`bare` node:https or `ours`) on 127.0.0.1:0
// and prints {"port":N} when ready. Requires `npm run build`.
import { createServer } from 'node:https'
import { readFileSync } from 'node:fs'

const [kind, certDir] = process.argv.slice(2)
const cert = readFileSync(`${certDir}/server.pem`, 'utf8')
const key = readFileSync(`${certDir}/server-key.pem`, 'utf8')
const ca = readFileSync(`${certDir}/ca.pem`, 'utf8')

if (kind === 'bare') {
  // The reference: parse the JSON, answer 200 with an empty body. Nothing else.
  const server = createServer({ cert, key, keepAliveTimeout: 10_000 }, (req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      try {
        JSON.parse(Buffer.concat(chunks).toString('utf8'))
      } catch {
        // ignore
      }
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '0' })
      res.end()
    })
  })
  server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })))
} else {
  const { startReceiver } = await import('../dist/index.js')
  const validate = kind === 'ours-validate'
  let validator
  if (validate) validator = (await import('../dist/validation/index.js')).createValidator()
  const r = await startReceiver({ port: 0, tls: { cert, key, ca }, output: 'none', validate: validate ? 'warn' : 'off', validator })
  console.log(JSON.stringify({ port: r.port }))
}
