import { createDomainContext } from '../src/reactions/index.ts'
// `npm run jobs:lifecycle -- [--now 2027-01-31T10:00:00Z]`: one lifecycle sweep as of a given time.
import { parseArgs } from 'node:util'
import { createLogger } from '../src/logger.ts'
import { openDatabase } from '../src/db/database.ts'
import { loadCommandConfig, runCommand } from '../src/db/commandLine.ts'
import { createLocalEventBus } from '../src/realtime/events.ts'
import { instanceSecret } from '../src/domain/settings/instanceSecret.ts'
import { loadSettings } from '../src/domain/settings/settings.ts'
import { SYSTEM } from '../src/domain/actor.ts'
import { runLifecycleSweep } from '../src/domain/lifecycle/sweep.ts'
import { mailDomainOf } from '../src/mail/outbound/outbox.ts'
import { bareAddress } from '../src/mail/replyAddress.ts'

await runCommand('npm run jobs:lifecycle', async () => {
  const { values } = parseArgs({ options: { now: { type: 'string' } } })
  const now = values.now ? new Date(values.now) : new Date()
  if (Number.isNaN(now.getTime())) {
    console.error(`--now must be an ISO date and time, e.g. 2027-01-31T10:00:00Z (got "${values.now}")`)
    return 2
  }
  const config = loadCommandConfig({ links: true })
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger: createLogger('warn') })
  try {
    const secret = await instanceSecret(db.prisma, config.sessionSecret)
    const ctx = createDomainContext({
      prisma: db.prisma,
      clock: () => now,
      events: createLocalEventBus(),
      mail: { publicUrl: config.publicUrl, mailDomain: mailDomainOf(config.mailFrom), supportAddress: bareAddress(config.mailFrom), secret },
    })
    const s = await loadSettings(db.prisma)
    console.log(`Lifecycle sweep as of ${now.toISOString()} (close after ${s.pendingCloseDays} days, remind ${s.reminderBeforeCloseDays} days before)`)
    const result = await runLifecycleSweep(ctx, SYSTEM, { onProgress: (r) => process.stdout.write(`\r  reminded ${r.reminded}, closed ${r.closed}…`) })
    console.log(`\r  reminded ${result.reminded} conversation(s), closed ${result.closed} conversation(s).`)
    return 0
  } finally {
    await db.close()
  }
})
