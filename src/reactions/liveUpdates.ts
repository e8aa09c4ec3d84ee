import type { Logger } from 'pino'
import type { Prisma } from '../db/database.ts'
import type { ConversationEvent, EventBus } from '../realtime/events.ts'
import { lastPosition, readRecent, type LoggedEvent } from './eventLog.ts'

const MESSAGE_EVENTS = new Set(['reply.sent', 'comment.added', 'message.received', 'auto_reply.received'])
/** Per folder and read, beyond this the lists reload rather than take row after row. */
const MAX_PER_FOLDER = 100
const BATCH = 1000
/** How long a gap in positions (a transaction not yet committed, or rolled back) is waited for. */
const GAP_WAIT_MS = 5000

/** What the agents' screens hear of one event of the log. */
export function liveEventsOf(e: LoggedEvent): ConversationEvent[] {
  if (e.conversationId === null || e.folderId === null) return []
  const base = { conversationId: e.conversationId, folderId: e.folderId }
  if (e.type === 'conversation.created') return [{ type: 'conversation.created', ...base }]
  if (MESSAGE_EVENTS.has(e.type)) {
    const messageCount = typeof e.data.messageCount === 'number' ? e.data.messageCount : undefined
    return [{ type: 'message.created', ...base, ...(messageCount === undefined ? {} : { messageCount }) }]
  }
  // The folder it left must hear of it too: its lists lose the row.
  if (e.type === 'conversation.moved' && typeof e.data.from === 'number')
    return [
      { type: 'conversation.updated', conversationId: e.conversationId, folderId: e.data.from },
      { type: 'conversation.updated', ...base },
    ]
  return [{ type: 'conversation.updated', ...base }]
}

/**
 * Each instance reads the log from where it started (screens need no past) and tells its own
 * subscribers. Screens must not wait for the slowest transaction of the database server, so
 * this reader goes by position alone: it tells what has committed at once, and waits a few
 * seconds for a gap (a transaction that took its position earlier and commits later) before
 * passing it. A change recorded as several events of one conversation is told once per kind.
 */
export async function startLiveUpdates(prisma: Prisma, bus: EventBus, logger: Logger, options: { pollMs?: number } = {}) {
  /** Every position up to here is told (or given up on). */
  let settled = await lastPosition(prisma)
  /** Told positions above `settled`, and when each gap below them was first seen. */
  const told = new Set<bigint>()
  const gapSince = new Map<bigint, number>()
  let running: Promise<void> | null = null
  let again = false
  let stopped = false

  async function drain() {
    do {
      again = false
      for (;;) {
        const events = await readRecent(prisma, settled, BATCH)
        const fresh = events.filter((e) => !told.has(BigInt(e.position)))
        for (const e of fresh) told.add(BigInt(e.position))
        publish(fresh)
        advance(events.length ? BigInt(events.at(-1)!.position) : settled)
        if (events.length < BATCH || fresh.length === 0) break
      }
    } while (again && !stopped)
  }

  function advance(highest: bigint) {
    const now = Date.now()
    while (settled < highest) {
      const next = settled + 1n
      if (told.delete(next)) {
        gapSince.delete(next)
        settled = next
        continue
      }
      const since = gapSince.get(next)
      if (since === undefined) gapSince.set(next, now)
      if (since === undefined || now - since < GAP_WAIT_MS) break
      gapSince.delete(next) // rolled back, or later than screens need: passed
      settled = next
    }
  }

  function publish(events: readonly LoggedEvent[]) {
    const seen = new Map<string, ConversationEvent>()
    const perFolder = new Map<number, number>()
    for (const e of events) {
      for (const live of liveEventsOf(e)) {
        const key = `${live.type}:${live.conversationId}:${live.folderId}`
        const previous = seen.get(key)
        // The newest thread version wins; a repeat is not news.
        if (previous) {
          if ('messageCount' in live) seen.set(key, live)
          continue
        }
        const n = perFolder.get(live.folderId) ?? 0
        if (n >= MAX_PER_FOLDER) continue
        perFolder.set(live.folderId, n + 1)
        seen.set(key, live)
      }
    }
    for (const live of seen.values()) bus.emitLocal(live)
  }

  function wake() {
    if (stopped) return
    if (running) {
      again = true
      return
    }
    running = drain()
      .catch((err) => logger.warn({ err }, 'live updates could not read the event log'))
      .finally(() => {
        running = null
      })
  }

  const unsubscribe = bus.onWake(wake)
  const timer = setInterval(wake, options.pollMs ?? 1000)
  timer.unref()
  return {
    async stop() {
      stopped = true
      unsubscribe()
      clearInterval(timer)
      await running
    },
  }
}
