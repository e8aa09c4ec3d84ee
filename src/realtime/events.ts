import { EventEmitter } from 'node:events'
import pg from 'pg'
import type { Logger } from 'pino'

export interface Viewer {
  agentId: number
  name: string
  composing: boolean
}

/** What changed, published after the transaction that changed it has committed. */
export type ConversationEvent =
  | {
      type: 'conversation.created' | 'conversation.updated' | 'message.created'
      conversationId: number
      folderId: number
      /** The thread's version after the change. */
      messageCount?: number
    }
  | {
      type: 'presence.changed'
      conversationId: number
      folderId: number
      /** Everyone who has the conversation open now. */
      viewers: Viewer[]
    }
  | {
      /** Someone came to have, or stopped having, a draft on it (drafts are not in the event log). */
      type: 'drafts.changed'
      conversationId: number
      folderId: number
      /** Everyone with a draft on the conversation now. */
      drafters: { agentId: number; name: string }[]
    }

/** Something for one agent's screens only (their notifications changed): not a conversation's news. */
export interface AgentEvent {
  type: 'notifications.changed'
  agentId: number
}

export interface EventBus {
  /** To every instance (presence, which is not in the event log). */
  publish(event: ConversationEvent): void
  /** To this instance's subscribers only (what its reader of the event log found). */
  emitLocal(event: ConversationEvent): void
  subscribe(listener: (event: ConversationEvent) => void): () => void
  /** The event log has grown: readers on every instance look again. */
  wake(): void
  onWake(listener: () => void): () => void
  /** To the agent's screens on every instance. */
  tellAgent(event: AgentEvent): void
  onAgentEvent(listener: (event: AgentEvent) => void): () => void
  close(): Promise<void>
}

function localEmitter() {
  const emitter = new EventEmitter()
  emitter.setMaxListeners(0)
  const on = <T extends unknown[]>(name: string, listener: (...args: T) => void) => {
    emitter.on(name, listener as never)
    return () => {
      emitter.off(name, listener as never)
    }
  }
  return {
    emit: (event: ConversationEvent) => emitter.emit('event', event),
    subscribe: (listener: (event: ConversationEvent) => void) => on('event', listener),
    wake: () => emitter.emit('wake'),
    onWake: (listener: () => void) => on('wake', listener),
    emitAgent: (event: AgentEvent) => emitter.emit('agent', event),
    onAgentEvent: (listener: (event: AgentEvent) => void) => on('agent', listener),
  }
}

/** In-process bus: the embedded single-instance mode (PGlite has no working LISTEN/NOTIFY). */
export function createLocalEventBus(): EventBus {
  const local = localEmitter()
  return {
    publish: local.emit,
    emitLocal: local.emit,
    subscribe: local.subscribe,
    wake: local.wake,
    onWake: local.onWake,
    tellAgent: local.emitAgent,
    onAgentEvent: local.onAgentEvent,
    close: async () => {},
  }
}

const CHANNEL = 'suivi_events'
/** Payload of the notification that says "the event log has grown". */
const WAKE = 'wake'
const WAKE_COALESCE_MS = 10
/** Events per NOTIFY statement (each payload stays under PostgreSQL's 8,000-byte limit). */
const NOTIFY_BATCH = 200

/**
 * Across instances: every event goes out with NOTIFY and comes back to every instance (this
 * one included) through its LISTEN connection, which reconnects after a database restart.
 */
export async function createPostgresEventBus(connectionString: string, logger: Logger): Promise<EventBus> {
  const local = localEmitter()
  // One connection: notifications leave in the order they were published (a viewer list that
  // overtook a newer one would stay on screen).
  const notifier = new pg.Pool({ connectionString, max: 1 })
  notifier.on('error', (err) => logger.warn({ err }, 'event bus connection lost'))
  let listener: pg.Client | null = null
  let closed = false

  async function listen(): Promise<void> {
    const client = new pg.Client({ connectionString })
    client.on('notification', (msg) => {
      if (msg.channel !== CHANNEL || !msg.payload) return
      if (msg.payload === WAKE) return local.wake()
      try {
        const event = JSON.parse(msg.payload) as ConversationEvent | AgentEvent
        if (event.type === 'notifications.changed') return local.emitAgent(event)
        local.emit(event)
      } catch (err) {
        logger.warn({ err }, 'unreadable event on the bus')
      }
    })
    client.on('error', (err) => {
      logger.warn({ err }, 'event bus listener lost; reconnecting')
      void client.end().catch(() => {})
      if (listener === client) listener = null
      if (!closed) setTimeout(() => void listen().catch(() => {}), 1000).unref()
    })
    try {
      await client.connect()
      await client.query(`LISTEN ${CHANNEL}`)
      listener = client
    } catch (err) {
      void client.end().catch(() => {})
      if (closed) return
      logger.warn({ err }, 'event bus cannot listen yet; retrying')
      setTimeout(() => void listen().catch(() => {}), 1000).unref()
    }
  }
  await listen()

  // Events published together (a sweep closing a thousand conversations) leave in one statement
  // rather than one round trip each, in order. PostgreSQL folds identical payloads sent in one
  // transaction, so each carries a sequence number that keeps a later repeat from being dropped.
  let queue: string[] = []
  let draining: Promise<void> | null = null
  let seq = 0
  async function drain() {
    while (queue.length) {
      const batch = queue.slice(0, NOTIFY_BATCH)
      queue = queue.slice(batch.length)
      await notifier
        .query('SELECT pg_notify($1, p) FROM unnest($2::text[]) WITH ORDINALITY AS t(p, i) ORDER BY i', [CHANNEL, batch])
        .catch((err) => logger.warn({ err, events: batch.length }, 'could not publish events'))
    }
  }
  const flush = (): Promise<void> =>
    (draining ??= drain().finally(() => {
      draining = null
      // Published between the last batch and this line.
      if (queue.length) void flush()
    }))

  // Wakes sent close together go out as one: a reader reads everything new anyway.
  let wakePending = false
  return {
    publish(event) {
      queue.push(JSON.stringify({ ...event, seq: ++seq }))
      if (queue.length === 1) queueMicrotask(() => void flush())
    },
    emitLocal: local.emit,
    tellAgent(event) {
      queue.push(JSON.stringify({ ...event, seq: ++seq }))
      if (queue.length === 1) queueMicrotask(() => void flush())
    },
    onAgentEvent: local.onAgentEvent,
    wake() {
      // This instance looks at once; the others when the notification reaches them.
      local.wake()
      // Commits within a few milliseconds share one notification.
      if (wakePending) return
      wakePending = true
      setTimeout(() => {
        wakePending = false
        void notifier.query('SELECT pg_notify($1, $2)', [CHANNEL, WAKE]).catch((err) => logger.warn({ err }, 'could not wake the other instances'))
      }, WAKE_COALESCE_MS).unref()
    },
    onWake: local.onWake,
    subscribe: local.subscribe,
    async close() {
      closed = true
      await flush()
      await listener?.end().catch(() => {})
      await notifier.end().catch(() => {})
    },
  }
}
