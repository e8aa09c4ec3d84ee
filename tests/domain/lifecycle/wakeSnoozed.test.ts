import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SYSTEM, type Actor } from '../../../src/domain/actor.ts'
import { snoozeConversation } from '../../../src/domain/conversations/commands/snoozeConversation.ts'
import { listConversations, listQuerySchema } from '../../../src/domain/conversations/listConversations.ts'
import type { DomainContext } from '../../../src/domain/context.ts'
import { wakeSnoozedConversations } from '../../../src/domain/lifecycle/wakeSnoozed.ts'
import { folderScope } from '../../../src/domain/policy.ts'
import { BACKGROUND_STATEMENTS, countQueries } from '../../helpers/queryCounter.ts'
import { buildAgent, buildConversation, buildFolder, testClock } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

const HOUR = 60 * 60 * 1000

describe('the wake-up job of snoozed conversations', () => {
  const time = testClock()
  let app: TestApp
  let ctx: DomainContext
  let agent: Actor

  beforeAll(async () => {
    app = await startTestApp({}, { clock: time.clock })
    ctx = app.ctx.domain
  })
  afterAll(async () => {
    await app?.close()
  })

  /** A folder of its own with `count` open conversations, each snoozed `hoursAhead(i)` from now (null: until the customer answers). */
  async function snoozedFolder(count: number, hoursAhead: (i: number) => number | null) {
    const folderId = (await buildFolder(ctx.prisma)).id
    agent = await buildAgent(ctx.prisma, { folderIds: [folderId] })
    const ids: number[] = []
    for (let i = 0; i < count; i++) {
      const c = await buildConversation(ctx, agent, { folderId, status: 'open', assigneeId: agent.id, subject: `Snoozed ${i}` })
      const hours = hoursAhead(i)
      await snoozeConversation(ctx, agent, { conversationId: c.id, until: hours === null ? null : new Date(time.clock().getTime() + hours * HOUR) })
      ids.push(c.id)
    }
    return { folderId, ids }
  }
  const woke = (ids: number[]) =>
    ctx.prisma.historyEvent.findMany({ where: { conversationId: { in: ids }, type: 'conversation.woke' }, orderBy: { id: 'asc' } })

  it('wakes only those whose moment has come, at the top of their tab, recorded by the System for the assignee', async () => {
    const { folderId, ids } = await snoozedFolder(4, (i) => [1, 2, 5, null][i]!)
    const other = await buildConversation(ctx, agent, { folderId, status: 'open', subject: 'Never snoozed' })
    time.advance(2 * HOUR)
    expect(await wakeSnoozedConversations(ctx, SYSTEM)).toBe(2)
    const rows = await ctx.prisma.conversation.findMany({ where: { id: { in: ids } }, orderBy: { id: 'asc' } })
    expect(rows.map((r) => r.snoozedAt === null)).toEqual([true, true, false, false])
    expect(rows.slice(0, 2).map((r) => r.lastActivityAt)).toEqual([time.clock(), time.clock()])
    const events = await woke(ids)
    expect(events.map((e) => ({ id: e.conversationId, kind: e.actorKind, data: e.data, at: e.createdAt }))).toEqual(
      ids.slice(0, 2).map((id) => ({ id, kind: 'system', data: { reason: 'time', assigneeId: agent.id }, at: time.clock() })),
    )
    // Back at the top of the Open tab, above the conversation that was never snoozed.
    const page = await listConversations(
      ctx.prisma,
      agent,
      await folderScope(ctx.prisma, agent),
      listQuerySchema.parse({ tab: 'open', folder: String(folderId) }),
    )
    expect(page.rows.map((r) => r.id).slice(0, 3)).toEqual([...ids.slice(0, 2).sort((a, b) => b - a), other.id])
    // Nothing more is due: a second run wakes nothing.
    expect(await wakeSnoozedConversations(ctx, SYSTEM)).toBe(0)
  })

  it('works in bounded batches until nothing is due', async () => {
    const { ids } = await snoozedFolder(7, () => 1)
    time.advance(HOUR)
    const { result, statements } = await countQueries(app, () => wakeSnoozedConversations(ctx, SYSTEM, { batchSize: 3 }), { ignore: BACKGROUND_STATEMENTS })
    expect(result).toBe(7)
    // Three claims (3, 3 and 1 rows: the short one ends the run), each with LIMIT 3.
    const claims = statements.filter((s) => /UPDATE conversations c SET "snoozedAt" = NULL/.test(s.text))
    expect(claims).toHaveLength(3)
    for (const claim of claims) expect(claim.values).toContain(3)
    expect(await woke(ids)).toHaveLength(7)
    expect(await ctx.prisma.conversation.count({ where: { id: { in: ids }, snoozedAt: { not: null } } })).toBe(0)
  })

  it('two workers at once never wake a conversation twice', async () => {
    const { ids } = await snoozedFolder(30, () => 1)
    time.advance(HOUR)
    const [a, b] = await Promise.all([wakeSnoozedConversations(ctx, SYSTEM, { batchSize: 4 }), wakeSnoozedConversations(ctx, SYSTEM, { batchSize: 4 })])
    expect(a + b).toBe(30)
    const events = await woke(ids)
    expect(events).toHaveLength(30)
    expect(new Set(events.map((e) => e.conversationId)).size).toBe(30)
  })
})
