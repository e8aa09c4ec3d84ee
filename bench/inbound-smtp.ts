// Inbound SMTP throughput: the corpus mix sent to the built-in listener over loopback.
// `npm run bench:inbound -- [--messages 2000] [--concurrency 8]`
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import nodemailer from 'nodemailer'
import { freshDatabase, progress, startBenchApp } from './lib.ts'

const { values } = parseArgs({ options: { messages: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '8' } } })
const total = Number(values.messages)
const concurrency = Number(values.concurrency)

const corpusDir = path.resolve('..', 'shared', 'corpus')
const catalog = (await readFile(path.join(corpusDir, 'CATALOG.tsv'), 'utf8')).trim().split('\n').slice(1)
const corpus: Buffer[] = []
for (const line of catalog) {
  const [source, file] = line.split('\t')
  const raw = await readFile(path.join(corpusDir, source!, file!)).catch(() => null)
  if (raw && raw.length < 1_000_000) corpus.push(raw)
}
console.log(`corpus: ${corpus.length} messages, mean ${Math.round(corpus.reduce((a, b) => a + b.length, 0) / corpus.length / 1024)} KB`)

const app = await startBenchApp(await freshDatabase('suivi_bench_inbound'), { INBOUND_MAX_BYTES: String(2 * 1024 * 1024) })
const transports = Array.from({ length: concurrency }, () =>
  nodemailer.createTransport({ host: '127.0.0.1', port: app.smtpPort!, secure: false, ignoreTLS: true, pool: true, maxConnections: 1, maxMessages: Infinity }),
)
const tick = progress('sending', total)
let next = 0
let accepted = 0
let refused = 0
const started = performance.now()
await Promise.all(
  transports.map(async (t) => {
    while (next < total) {
      const raw = corpus[next++ % corpus.length]!
      try {
        await t.sendMail({ envelope: { from: 'bench@example.org', to: ['support@localhost'] }, raw })
        accepted++
      } catch {
        refused++
      }
      tick(accepted + refused)
    }
  }),
)
const acceptedMs = performance.now() - started
await app.ctx.intake.drain()
const processedMs = performance.now() - started
for (const t of transports) t.close()
const rows = await app.ctx.db.prisma.inboundMessage.groupBy({ by: ['status'], _count: { _all: true } })
console.log(
  `accepted ${accepted}, refused ${refused} in ${(acceptedMs / 1000).toFixed(1)} s: ${Math.round((accepted / acceptedMs) * 1000)} messages/s stored (250 after commit)`,
)
console.log(`processed into conversations in ${(processedMs / 1000).toFixed(1)} s: ${Math.round((accepted / processedMs) * 1000)} messages/s end to end`)
console.log(`rows: ${rows.map((r) => `${r.status} ${r._count._all}`).join(', ')}`)
console.log(`resident memory: ${Math.round(process.memoryUsage().rss / 1024 / 1024)} MB`)
await app.stop()
process.exit(0)
