import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPostgresEventBus, type ConversationEvent, type EventBus } from '../../src/realtime/events.ts'
import { startPrivatePostgres, type PrivatePostgres } from '../helpers/privatePostgres.ts'

/** The bus between instances: a burst of events arrives complete and in order, repeats included. */
describe('PostgreSQL event bus', () => {
  let privatePg: PrivatePostgres | null = null
  let url: string
  let a: EventBus
  let b: EventBus
  beforeAll(async () => {
    if (process.env.TEST_DATABASE_URL) url = process.env.TEST_DATABASE_URL
    else {
      privatePg = await startPrivatePostgres()
      url = await privatePg.createDatabase('events')
    }
    const logger = pino({ level: 'silent' })
    a = await createPostgresEventBus(url, logger)
    b = await createPostgresEventBus(url, logger)
  })
  afterAll(async () => {
    await a?.close()
    await b?.close()
    await privatePg?.cleanup()
  })

  it('delivers 1,000 events published at once, in order, and a repeated viewer list is not folded', async () => {
    // Events of other test files on the same server carry other conversation ids.
    const base = 900_000_000 + Math.floor(Math.random() * 1_000_000)
    const received: ConversationEvent[] = []
    const all = new Promise<void>((resolve) =>
      b.subscribe((e) => {
        if (e.conversationId < base || e.conversationId > base + 2_000) return
        received.push(e)
        if (received.length === 1_003) resolve()
      }),
    )
    for (let i = 0; i < 1_000; i++) a.publish({ type: 'conversation.updated', conversationId: base + i, folderId: 1 })
    const alice: ConversationEvent = {
      type: 'presence.changed',
      conversationId: base + 1_500,
      folderId: 1,
      viewers: [{ agentId: 1, name: 'Alice', composing: false }],
    }
    const nobody: ConversationEvent = { ...alice, viewers: [] }
    a.publish(alice)
    a.publish(nobody)
    a.publish(alice)
    await all
    expect(received.slice(0, 1_000).map((e) => e.conversationId)).toEqual(Array.from({ length: 1_000 }, (_, i) => base + i))
    expect(received.slice(1_000).map((e) => (e.type === 'presence.changed' ? e.viewers.length : -1))).toEqual([1, 0, 1])
  }, 30_000)
})
