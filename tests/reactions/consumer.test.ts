import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addTag, removeTag } from '../../src/domain/conversations/commands/tagConversation.ts'
import { consumeOnce } from '../../src/reactions/consumer.ts'
import { spawnTool, until, type Child } from '../helpers/childProcess.ts'
import { buildAgent, buildConversation, buildFolder, buildTag } from '../helpers/factories.ts'
import { announceIfSkipped, NEEDS_POSTGRES, onPostgres } from '../helpers/needsPostgres.ts'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'

const CHANGES = 10_000
const PRODUCERS = 4

announceIfSkipped('the event listener across two processes and a SIGKILL')

describe.runIf(onPostgres)(`a durable listener of the event log ${NEEDS_POSTGRES}`, () => {
  let app: TestApp
  let databaseUrl: string
  const children: Child[] = []

  beforeAll(async () => {
    app = await startTestApp()
    databaseUrl = app.ctx.config.databaseUrl!
    await app.ctx.db.pool.query('CREATE TABLE received_events (position bigint NOT NULL, pid int NOT NULL)')
  })
  afterAll(async () => {
    for (const c of children) c.signal('SIGKILL')
    await app?.close()
  })

  const startListener = async () => {
    let ready!: () => void
    const started = new Promise<void>((r) => (ready = r))
    const child = spawnTool(['tests/reactions/countingListener.ts'], { DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' }, (out) => {
      if (out.includes('listening')) ready()
    })
    children.push(child)
    const exitedEarly = child.exited.then(() => Promise.reject(new Error(`listener exited:\n${child.output()}`)))
    exitedEarly.catch(() => {}) // a later kill is the test's own doing
    await Promise.race([started, exitedEarly])
    return child
  }

  it(`receives each of ${CHANGES.toLocaleString('en')} changes exactly once across two instances and a SIGKILL`, async () => {
    const ctx = app.ctx.domain
    const folder = await buildFolder(ctx.prisma, 'Busy')
    const agent = await buildAgent(ctx.prisma, { role: 'admin' })
    const tag = await buildTag(ctx.prisma, 'flip')
    const conversations: Awaited<ReturnType<typeof buildConversation>>[] = []
    for (let i = 0; i < 40; i++) conversations.push(await buildConversation(ctx, agent, { folderId: folder.id }))
    const before = Number((await app.ctx.db.pool.query('SELECT count(*) AS n FROM events')).rows[0].n)

    const first = await startListener()
    await startListener()

    // Producers change tags concurrently, so that transactions commit out of position order.
    let done = 0
    const producing = Date.now()
    let killed = false
    let restarted: Promise<Child> | null = null
    const onChange = () => {
      done++
      if (!killed && done >= CHANGES * 0.3) {
        killed = true
        first.signal('SIGKILL') // mid-batch, most likely: its open transaction rolls back
      }
      if (killed && !restarted && done >= CHANGES * 0.6) restarted = startListener()
    }
    await Promise.all(
      Array.from({ length: PRODUCERS }, async (_, p) => {
        for (let i = p; i < CHANGES; i += PRODUCERS) {
          const c = conversations[i % conversations.length]!
          // Each conversation is someone's alone: a tag flips on, then off.
          const on = Math.floor(i / conversations.length) % 2 === 0
          const input = { conversationId: c.id, tagId: tag.id }
          if (on) await addTag(ctx, agent, input)
          else await removeTag(ctx, agent, input)
          onChange()
        }
      }),
    )
    await restarted
    console.log(`${CHANGES} changes by ${PRODUCERS} producers in ${((Date.now() - producing) / 1000).toFixed(1)} s`)
    expect((await first.exited).signal).toBe('SIGKILL')

    const total = Number((await app.ctx.db.pool.query('SELECT count(*) AS n FROM events')).rows[0].n)
    expect(total - before).toBe(CHANGES)
    await until(
      'the listeners to catch up',
      async () => Number((await app.ctx.db.pool.query('SELECT count(*) AS n FROM received_events')).rows[0].n) >= total,
      120_000,
      () => children.map((c) => c.output()).join('\n'),
    )
    const { rows } = await app.ctx.db.pool.query<{ received: string; distinct: string; missing: string; handlers: string }>(`
      SELECT (SELECT count(*) FROM received_events) AS received,
             (SELECT count(DISTINCT position) FROM received_events) AS distinct,
             (SELECT count(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM received_events r WHERE r.position = e.position)) AS missing,
             (SELECT count(DISTINCT pid) FROM received_events) AS handlers`)
    // Should a change ever be handled twice, the failure says by which instances and what they logged.
    const twice = await app.ctx.db.pool.query(
      'SELECT position, array_agg(pid) AS pids FROM received_events GROUP BY position HAVING count(*) > 1 ORDER BY position LIMIT 20',
    )
    const diagnosis = `handled twice: ${JSON.stringify(twice.rows)}\n${children.map((c) => c.output()).join('\n')}`
    expect(rows[0], diagnosis).toEqual({ received: String(total), distinct: String(total), missing: '0', handlers: expect.any(String) })
    // Both instances took part (the survivor and the restarted one at least).
    expect(Number(rows[0]!.handlers)).toBeGreaterThanOrEqual(2)
  }, 900_000)

  it('starts a new listener at the end of the log when asked to, and never hands a batch to two instances at once', async () => {
    const seen: number[] = []
    const late = {
      name: 'late-joiner',
      from: 'end' as const,
      handle: async (_tx: unknown, events: readonly { position: bigint }[]) => void seen.push(...events.map((e) => Number(e.position))),
    }
    // The end is taken conservatively (events of transactions that started before a still
    // running one may follow): never the past of the log, at worst its last moments.
    while ((await consumeOnce(app.ctx.db.prisma, late)) > 0);
    const total = Number((await app.ctx.db.pool.query('SELECT count(*) AS n FROM events')).rows[0].n)
    expect(seen.length).toBeLessThan(total / 10)
    seen.length = 0
    const ctx = app.ctx.domain
    const folder = await buildFolder(ctx.prisma, 'Late')
    const agent = await buildAgent(ctx.prisma, { role: 'admin' })
    await buildConversation(ctx, agent, { folderId: folder.id })
    // Two at once: one holds the position, the other finds it taken and handles nothing. (The
    // new events become readable once every older transaction of the server has ended.)
    await until('the new events to be handled', async () => {
      const [a, b] = await Promise.all([consumeOnce(app.ctx.db.prisma, late), consumeOnce(app.ctx.db.prisma, late)])
      expect(a > 0 && b > 0).toBe(false)
      return a + b > 0
    })
    expect(new Set(seen).size).toBe(seen.length)
    expect(seen.length).toBeGreaterThan(0)
  })
})
