// Outbox delivery rate: queued e-mails delivered over SMTP to a capture server on loopback.
// `npm run bench:outbox -- [--emails 2000]`
import { parseArgs } from 'node:util'
import { pino } from 'pino'
import { SMTPServer } from 'smtp-server'
import { deliverDueEmails } from '../src/mail/outbound/delivery.ts'
import { createSmtpTransport } from '../src/mail/outbound/transport.ts'
import { enqueueEmail } from '../src/mail/outbound/outbox.ts'
import { freshDatabase, progress, startBenchApp } from './lib.ts'

const { values } = parseArgs({ options: { emails: { type: 'string', default: '2000' } } })
const total = Number(values.emails)

let received = 0
const sink = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  disableReverseLookup: true,
  logger: false,
  onData(stream, _s, cb) {
    stream.on('data', () => {})
    stream.on('end', () => {
      received++
      cb()
    })
  },
})
await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()))
const port = (sink.server.address() as { port: number }).port

const app = await startBenchApp(await freshDatabase('suivi_bench_outbox'))
const prisma = app.ctx.db.prisma
const body = 'Hello,\n\nThank you for your message. '.repeat(20)
for (let i = 0; i < total; i += 500) {
  await prisma.$transaction(async (tx) => {
    for (let j = i; j < Math.min(total, i + 500); j++) {
      await enqueueEmail(tx, 'bench.example', {
        kind: 'agent_reply',
        to: `customer${j}@example.org`,
        subject: `[#${j}] Your request`,
        text: body,
        html: `<p>${body}</p>`,
      })
    }
  })
}
const transport = createSmtpTransport(`smtp://127.0.0.1:${port}`)!
const tick = progress('delivering', total)
const started = performance.now()
let sent = 0
while (sent < total) {
  const r = await deliverDueEmails({
    prisma,
    transport,
    clock: () => new Date(),
    logger: pino({ level: 'warn' }),
    batchSize: 50,
    from: 'Bench <support@bench.example>',
  })
  sent += r.sent
  tick(sent)
  if (r.sent === 0 && r.failed === 0 && r.retried === 0) break
}
const ms = performance.now() - started
console.log(`delivered ${sent} (server received ${received}) in ${(ms / 1000).toFixed(1)} s: ${Math.round((sent / ms) * 1000)} e-mails/s with one worker`)
transport.close()
await app.stop()
sink.close()
process.exit(0)
