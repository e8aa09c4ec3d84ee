import type { Logger } from 'pino'
import type { Prisma, Tx } from '../db/database.ts'
import { cursorAfter, endOfLog, readLog, START_OF_LOG, type LoggedEvent } from './eventLog.ts'

/**
 * A listener that reads the log after commit, from a stored position, exactly once: its handler
 * runs in the transaction that moves its position, and only one instance at a time holds that
 * position's row (the others skip it). A crash rolls back both, so the batch is handled again.
 * Effects outside the database (an HTTP call) are at least once: they carry the event position.
 */
export interface Consumer {
  name: string
  /** Where a consumer that has never run starts: the whole log, or only what comes next. */
  from: 'start' | 'end'
  handle(tx: Tx, events: readonly LoggedEvent[]): Promise<void>
  /** Runs once a batch it handled has committed (to tell screens what it wrote). */
  afterCommit?(): void
}

const BATCH = 500

/** Handles one batch if this instance gets the consumer; returns how many events it handled. */
export async function consumeOnce(prisma: Prisma, consumer: Consumer, batch = BATCH): Promise<number> {
  if (!registered.has(consumer)) {
    await ensureRegistered(prisma, consumer)
    registered.add(consumer)
  }
  // Most polls find nothing new: one statement says so without opening a transaction.
  if (!(await hasWork(prisma, consumer))) return 0
  const handled = await prisma.$transaction(
    async (tx) => {
      const [cursor] = await tx.$queryRaw<{ tx: string; position: string }[]>`
        SELECT "tx"::text AS tx, "position"::text AS position FROM event_consumers WHERE name = ${consumer.name} FOR UPDATE SKIP LOCKED`
      if (!cursor) return 0 // another instance is on it
      const events = await readLog(tx, cursor, batch)
      if (events.length === 0) return 0
      await consumer.handle(tx, events)
      const last = cursorAfter(events.at(-1)!)
      // Compare and set: the row lock should make this always true; if the position ever moved
      // under this batch, the batch is another instance's and is rolled back rather than repeated.
      const moved = await tx.$executeRaw`
        UPDATE event_consumers SET "tx" = ${last.tx}::xid8, "position" = ${last.position}::bigint, "updatedAt" = now()
        WHERE name = ${consumer.name} AND "tx" = ${cursor.tx}::xid8 AND "position" = ${cursor.position}::bigint`
      if (moved !== 1) throw new Error(`the position of listener ${consumer.name} moved while it handled a batch; the batch is rolled back`)
      return events.length
    },
    { timeout: 60_000 },
  )
  if (handled > 0) consumer.afterCommit?.()
  return handled
}

/** Consumers whose position row this process has made sure of. */
const registered = new WeakSet<Consumer>()

async function hasWork(prisma: Prisma, consumer: Consumer): Promise<boolean> {
  const rows = await prisma.$queryRaw<unknown[]>`
    SELECT 1 FROM event_consumers c WHERE c.name = ${consumer.name} AND EXISTS (
      SELECT 1 FROM events e WHERE (e."tx", e."position") > (c."tx", c."position") AND e."tx" < pg_snapshot_xmin(pg_current_snapshot()))`
  return rows.length > 0
}

async function ensureRegistered(prisma: Prisma, consumer: Consumer) {
  const start = consumer.from === 'start' ? START_OF_LOG : await endOfLog(prisma)
  await prisma.$executeRaw`INSERT INTO event_consumers (name, "tx", "position") VALUES (${consumer.name}, ${start.tx}::xid8, ${start.position}::bigint) ON CONFLICT (name) DO NOTHING`
}

/**
 * Runs consumers until stopped: a batch whenever the log may have grown (`wake`) and at least
 * every `pollMs` (a wake from another instance can be lost while its connection is down).
 */
export function runConsumers(prisma: Prisma, consumers: readonly Consumer[], logger: Logger, options: { pollMs?: number } = {}) {
  const pollMs = options.pollMs ?? 1000
  let stopped = false
  let running: Promise<void> | null = null
  let again = false
  const timer = setInterval(() => wake(), pollMs)
  timer.unref()

  async function drain() {
    do {
      again = false
      for (const consumer of consumers) {
        try {
          while (!stopped && (await consumeOnce(prisma, consumer)) > 0) {
            // A full log is worked through at once rather than one batch per wake.
          }
        } catch (err) {
          if (!stopped) logger.warn({ err, consumer: consumer.name }, 'event listener failed; it will retry')
        }
      }
    } while (again && !stopped)
  }

  function wake() {
    if (stopped) return
    if (running) {
      again = true
      return
    }
    running = drain().finally(() => {
      running = null
    })
  }

  wake()
  return {
    wake,
    async stop() {
      stopped = true
      clearInterval(timer)
      await running
    },
  }
}
