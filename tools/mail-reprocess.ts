import { createDomainContext } from '../src/reactions/index.ts'
// `npm run mail:reprocess -- <id> [<id> …]` (or `--failed`): processes stored e-mail again.
import { parseArgs } from 'node:util'
import { createLogger } from '../src/logger.ts'
import { openDatabase } from '../src/db/database.ts'
import { loadCommandConfig, runCommand } from '../src/db/commandLine.ts'
import { createLocalEventBus } from '../src/realtime/events.ts'
import { systemClock } from '../src/domain/clock.ts'
import { instanceSecret } from '../src/domain/settings/instanceSecret.ts'
import { mailDomainOf } from '../src/mail/outbound/outbox.ts'
import { bareAddress } from '../src/mail/replyAddress.ts'
import { processInboundMessage } from '../src/mail/inbound/intake.ts'

await runCommand('npm run mail:reprocess', async () => {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { failed: { type: 'boolean', default: false } } })
  const ids = positionals.map(Number).filter((n) => Number.isInteger(n) && n > 0)
  if (!values.failed && ids.length === 0) {
    console.error('usage: npm run mail:reprocess -- <id> [<id> …] | --failed')
    return 2
  }
  const config = loadCommandConfig({ links: true })
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel)
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger })
  let failures = 0
  try {
    const secret = await instanceSecret(db.prisma, config.sessionSecret)
    const ctx = createDomainContext({
      prisma: db.prisma,
      clock: systemClock,
      events: createLocalEventBus(),
      mail: { publicUrl: config.publicUrl, mailDomain: mailDomainOf(config.mailFrom), supportAddress: bareAddress(config.mailFrom), secret },
    })
    const targets = values.failed
      ? (await db.prisma.inboundMessage.findMany({ where: { status: 'failed' }, select: { id: true }, orderBy: { id: 'asc' } })).map((r) => r.id)
      : ids
    let done = 0
    for (const id of targets) {
      const exists = await db.prisma.inboundMessage.count({ where: { id } })
      if (!exists) {
        console.log(`#${id}: no such message`)
        failures++
        continue
      }
      const outcome = await processInboundMessage(ctx, id, logger, { again: true })
      done++
      console.log(
        `[${done}/${targets.length}] #${id}: ${outcome.status === 'processed' ? `processed${outcome.conversationId ? ` → conversation id ${outcome.conversationId}` : ''}${outcome.note ? ` (${outcome.note})` : ''}` : `failed: ${outcome.error}`}`,
      )
      if (outcome.status === 'failed') failures++
    }
  } finally {
    await db.close()
  }
  return failures ? 1 : 0
})
