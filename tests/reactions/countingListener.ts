/**
 * A process that runs one durable listener of the event log, as an instance of the help desk
 * does: every event it handles becomes a row of received_events, in the listener's transaction.
 * Started twice (and killed) by consumer.test.ts.
 */
import { openDatabase } from '../../src/db/database.ts'
import { createLogger } from '../../src/logger.ts'
import { createPostgresEventBus } from '../../src/realtime/events.ts'
import { runConsumers, type Consumer } from '../../src/reactions/consumer.ts'

const databaseUrl = process.env.DATABASE_URL!
const logger = createLogger('warn')
const db = await openDatabase({ databaseUrl, logger, poolSize: 3 })
const bus = await createPostgresEventBus(databaseUrl, logger)

const counting: Consumer = {
  name: 'test-counter',
  from: 'start',
  async handle(tx, events) {
    await tx.$executeRaw`INSERT INTO received_events (position, pid) SELECT unnest(${events.map((e) => String(e.position))}::bigint[]), ${process.pid}::int`
  },
}

const listeners = runConsumers(db.prisma, [counting], logger, { pollMs: 200 })
bus.onWake(() => listeners.wake())
console.log('listening')
process.on('SIGTERM', () => {
  void listeners.stop().then(async () => {
    await bus.close()
    await db.close()
    process.exit(0)
  })
})
