import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { Prisma as P } from '../../../src/generated/prisma/client.ts'
import { SYSTEM, type Actor } from '../../../src/domain/actor.ts'
import type { DomainContext } from '../../../src/domain/context.ts'
import { statusAssignments, statusFields } from '../../../src/domain/conversations/lifecycle.ts'
import { runLifecycleSweep, SWEEP_TRANSITIONS } from '../../../src/domain/lifecycle/sweep.ts'
import { AUTOMATIC_PER_ADDRESS_PER_HOUR } from '../../../src/mail/outbound/outbox.ts'
import { buildAgent, buildConversation, buildFolder, testClock } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

const STATUS_COLUMNS = { status: true, pendingSince: true, reminderSentAt: true, closedAt: true, closedByKind: true, closedById: true } as const
const OVER_LIMIT = `the address had ${AUTOMATIC_PER_ADDRESS_PER_HOUR} automatic e-mails in the last hour`

describe('the sweep writes status through the transition table', () => {
  const time = testClock(new Date('2027-03-01T08:00:00Z'))
  let app: TestApp
  let ctx: DomainContext
  let admin: Actor
  let folderId: number

  beforeAll(async () => {
    app = await startTestApp({}, { clock: time.clock })
    ctx = app.ctx.domain
    admin = await buildAgent(ctx.prisma, { role: 'admin' })
    folderId = (await buildFolder(ctx.prisma)).id
  })
  afterAll(async () => {
    await app?.close()
  })
  beforeEach(async () => {
    // Conversations of earlier tests must not be due in this one.
    await ctx.prisma.$executeRaw`UPDATE conversations SET "pendingSince" = NULL WHERE status = 'pending'`
  })

  const pending = (customerEmail?: string) => buildConversation(ctx, admin, { folderId, mode: 'send', ...(customerEmail ? { customerEmail } : {}) })
  const columns = (id: number) => ctx.prisma.conversation.findUniqueOrThrow({ where: { id }, select: STATUS_COLUMNS })

  for (const [name, t] of Object.entries(SWEEP_TRANSITIONS)) {
    it(`writes the same columns as statusFields for its ${name} transition (${t.event})`, async () => {
      const byPrisma = await pending()
      const bySql = await pending()
      expect(await columns(bySql.id)).toEqual(await columns(byPrisma.id))
      const now = time.clock()
      await ctx.prisma.conversation.update({ where: { id: byPrisma.id }, data: statusFields(t, now, SYSTEM) })
      await ctx.prisma.$executeRaw(P.sql`UPDATE conversations SET ${statusAssignments(t, now, SYSTEM)} WHERE id = ${bySql.id}`)
      const written = await columns(bySql.id)
      expect(written).toEqual(await columns(byPrisma.id))
      expect(written).toMatchObject(statusFields(t, now, SYSTEM))
    })
  }

  it('holds back reminders and closing notes over the hourly limit per address, and says why; statuses change all the same', async () => {
    const email = `busy-${Date.now()}@example.com`
    const extra = 2
    const cs = []
    for (let i = 0; i < AUTOMATIC_PER_ADDRESS_PER_HOUR + extra; i++) cs.push(await pending(email))
    const other = await pending()
    time.advanceDays(23)
    expect(await runLifecycleSweep(ctx, SYSTEM, { batchSize: 4 })).toEqual({ reminded: cs.length + 1, closed: 0 })

    const reminders = await ctx.prisma.outboxEmail.findMany({ where: { toAddress: email, kind: 'reminder' }, orderBy: { id: 'asc' } })
    expect(reminders.map((r) => r.conversationId)).toEqual(cs.slice(0, AUTOMATIC_PER_ADDRESS_PER_HOUR).map((c) => c.id))
    expect(await ctx.prisma.outboxEmail.count({ where: { conversationId: other.id, kind: 'reminder' } })).toBe(1)
    for (const [i, c] of cs.entries()) {
      expect((await columns(c.id)).reminderSentAt).toEqual(time.clock())
      const [event] = await ctx.prisma.historyEvent.findMany({ where: { conversationId: c.id, type: 'reminder.sent' } })
      expect(event!.data).toEqual(i < AUTOMATIC_PER_ADDRESS_PER_HOUR ? {} : { skipped: OVER_LIMIT })
    }

    // Within the same real hour the address has had its share: every closing note is held back.
    time.advanceDays(7)
    expect(await runLifecycleSweep(ctx, SYSTEM, { batchSize: 4 })).toEqual({ reminded: 0, closed: cs.length + 1 })
    expect(await ctx.prisma.outboxEmail.count({ where: { toAddress: email, kind: 'closing' } })).toBe(0)
    expect(await ctx.prisma.outboxEmail.count({ where: { conversationId: other.id, kind: 'closing' } })).toBe(1)
    for (const c of cs) {
      expect(await columns(c.id)).toMatchObject({ status: 'closed', closedByKind: 'system', closedAt: time.clock() })
      const events = await ctx.prisma.historyEvent.findMany({
        where: { conversationId: c.id, actorKind: 'system', createdAt: time.clock() },
        orderBy: { id: 'asc' },
      })
      expect(events.map((e) => [e.type, e.data])).toEqual([
        ['conversation.auto_closed', { afterDays: 30, skipped: OVER_LIMIT }],
        ['status.changed', { from: 'pending', to: 'closed' }],
      ])
    }
  })

  it('counts the automatic e-mails the address already had this hour', async () => {
    const email = `notified-${Date.now()}@example.com`
    const c = await pending(email)
    const d = await pending(email)
    for (let i = 0; i < AUTOMATIC_PER_ADDRESS_PER_HOUR - 1; i++) {
      await ctx.prisma.outboxEmail.create({
        data: { kind: 'notification', messageId: `<n${i}-${Date.now()}@example.test>`, toAddress: email, subject: 'x', html: 'x', text: 'x' },
      })
    }
    time.advanceDays(23)
    await runLifecycleSweep(ctx, SYSTEM)
    expect(await ctx.prisma.outboxEmail.count({ where: { conversationId: c.id, kind: 'reminder' } })).toBe(1)
    expect(await ctx.prisma.outboxEmail.count({ where: { conversationId: d.id, kind: 'reminder' } })).toBe(0)
  })
})
