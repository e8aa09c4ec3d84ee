import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Actor } from '../../../src/domain/agents/authenticate.ts'
import type { DomainContext } from '../../../src/domain/context.ts'
import { addCustomerMessage } from '../../../src/domain/conversations/commands/addCustomerMessage.ts'
import { recordCustomerAnswer } from '../../../src/domain/conversations/commands/recordCustomerAnswer.ts'
import { replyAsAgent } from '../../../src/domain/conversations/commands/replyAsAgent.ts'
import { runLifecycleSweep } from '../../../src/domain/lifecycle/sweep.ts'
import { verifyCustomerToken } from '../../../src/mail/customerLinks.ts'
import { buildAgent, buildConversation, buildFolder, testClock } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

const HOUR = 60 * 60 * 1000

describe('reminders and automatic close (SPEC §2)', () => {
  const time = testClock(new Date('2027-01-01T08:00:00Z'))
  let app: TestApp
  let ctx: DomainContext
  let admin: Actor
  let folderId: number

  beforeAll(async () => {
    app = await startTestApp({}, { clock: time.clock })
    ctx = app.ctx.domain
    admin = await buildAgent(ctx.prisma, { role: 'admin', name: 'Ada' })
    folderId = (await buildFolder(ctx.prisma)).id
  })
  afterAll(async () => {
    await app?.close()
  })
  beforeEach(async () => {
    await ctx.prisma.setting.deleteMany({ where: { key: { in: ['pendingCloseDays', 'reminderBeforeCloseDays', 'closingEmailEnabled'] } } })
    // Conversations of earlier tests must not be due in this one.
    await ctx.prisma.conversation.updateMany({ where: { status: 'pending' }, data: { status: 'closed', pendingSince: null } })
  })

  async function pendingConversation() {
    const c = await buildConversation(ctx, admin, { folderId, mode: 'send', text: 'Try restarting the router.' })
    expect(c.status).toBe('pending')
    return c
  }
  const state = (id: number) => ctx.prisma.conversation.findUniqueOrThrow({ where: { id } })
  const mails = (conversationId: number, kind: 'reminder' | 'closing') => ctx.prisma.outboxEmail.findMany({ where: { conversationId, kind } })
  const setting = (key: string, value: number | boolean) => ctx.prisma.setting.upsert({ where: { key }, create: { key, value }, update: { value } })

  it('sends exactly one reminder at day 23 and closes at day 30, as System', async () => {
    const c = await pendingConversation()
    time.advance(23 * 24 * HOUR - 1000)
    expect(await runLifecycleSweep(ctx)).toEqual({ reminded: 0, closed: 0 })
    time.advance(1000)
    expect(await runLifecycleSweep(ctx)).toEqual({ reminded: 1, closed: 0 })
    expect(await runLifecycleSweep(ctx)).toEqual({ reminded: 0, closed: 0 })
    time.advanceDays(3)
    expect(await runLifecycleSweep(ctx)).toEqual({ reminded: 0, closed: 0 })
    expect(await mails(c.id, 'reminder')).toHaveLength(1)

    const [reminder] = await mails(c.id, 'reminder')
    expect(reminder!.subject).toContain(`[#${c.number}]`)
    expect(reminder!.headers).toMatchObject({ 'Auto-Submitted': 'auto-generated' })
    const solved = /\/r\/solved\/([\w.-]+)/.exec(reminder!.text)?.[1]
    const notSolved = /\/r\/not-solved\/([\w.-]+)/.exec(reminder!.text)?.[1]
    expect(verifyCustomerToken(ctx.mail.secret, 'solved', solved!)).toBe(c.id)
    expect(verifyCustomerToken(ctx.mail.secret, 'not-solved', notSolved!)).toBe(c.id)
    // Single-purpose: a "solved" token is not a "not solved" one.
    expect(verifyCustomerToken(ctx.mail.secret, 'not-solved', solved!)).toBeNull()

    time.set(new Date(c.pendingSince!.getTime() + 30 * 24 * HOUR - 1000))
    expect((await runLifecycleSweep(ctx)).closed).toBe(0)
    time.advance(1000)
    expect((await runLifecycleSweep(ctx)).closed).toBe(1)
    expect(await state(c.id)).toMatchObject({ status: 'closed', closedByKind: 'system', closedById: null, pendingSince: null })
    expect(await mails(c.id, 'closing')).toHaveLength(1)
    const history = await ctx.prisma.historyEvent.findMany({ where: { conversationId: c.id, actorKind: 'system' }, orderBy: { id: 'asc' } })
    expect(history.map((h) => h.type)).toEqual(['reminder_sent', 'auto_closed', 'status_changed'])
    expect(await runLifecycleSweep(ctx)).toEqual({ reminded: 0, closed: 0 })
  })

  it('re-arms both steps when an agent replies in between', async () => {
    const c = await pendingConversation()
    time.advanceDays(23)
    await runLifecycleSweep(ctx)
    time.advanceDays(5)
    await replyAsAgent(ctx, admin, { conversationId: c.id, text: 'One more idea: update the firmware.' })
    time.advanceDays(5) // day 33 after the first reply, day 5 of the new period
    expect(await runLifecycleSweep(ctx)).toEqual({ reminded: 0, closed: 0 })
    time.advanceDays(18) // day 23 of the new period
    expect(await runLifecycleSweep(ctx)).toEqual({ reminded: 1, closed: 0 })
    expect(await mails(c.id, 'reminder')).toHaveLength(2)
    time.advanceDays(7)
    expect((await runLifecycleSweep(ctx)).closed).toBe(1)
  })

  it('a customer who still needs help opens it again; one who says solved closes it', async () => {
    const c = await pendingConversation()
    time.advanceDays(23)
    await runLifecycleSweep(ctx)
    expect(await recordCustomerAnswer(ctx, c.id, 'not-solved')).toMatchObject({ outcome: 'reopened' })
    expect(await state(c.id)).toMatchObject({ status: 'open', pendingSince: null })
    time.advanceDays(30)
    expect((await runLifecycleSweep(ctx)).closed).toBe(0)

    const d = await pendingConversation()
    expect(await recordCustomerAnswer(ctx, d.id, 'solved')).toMatchObject({ outcome: 'closed' })
    expect(await state(d.id)).toMatchObject({ status: 'closed', closedByKind: 'customer' })
    expect(await recordCustomerAnswer(ctx, d.id, 'solved')).toMatchObject({ outcome: 'already-closed' })
    const answers = await ctx.prisma.historyEvent.findMany({ where: { conversationId: d.id, actorKind: 'customer' } })
    expect(answers.map((h) => h.type)).toEqual(['customer_resolved', 'status_changed', 'customer_resolved'])
  })

  it('replying to the reminder counts as not resolved', async () => {
    const c = await pendingConversation()
    time.advanceDays(23)
    await runLifecycleSweep(ctx)
    await addCustomerMessage(ctx, { conversationId: c.id, customerId: c.customerId, text: 'Still broken, sorry.' })
    expect((await state(c.id)).status).toBe('open')
    time.advanceDays(30)
    expect((await runLifecycleSweep(ctx)).closed).toBe(0)
  })

  it('0 disables a step: no reminder but a close, or nothing at all', async () => {
    await setting('reminderBeforeCloseDays', 0)
    const c = await pendingConversation()
    time.advanceDays(30)
    expect(await runLifecycleSweep(ctx)).toEqual({ reminded: 0, closed: 1 })
    expect(await mails(c.id, 'reminder')).toHaveLength(0)

    await setting('pendingCloseDays', 0)
    await setting('reminderBeforeCloseDays', 7)
    const d = await pendingConversation()
    time.advanceDays(400)
    expect(await runLifecycleSweep(ctx)).toEqual({ reminded: 0, closed: 0 })
    expect((await state(d.id)).status).toBe('pending')
  })

  it('sends no closing e-mail when that is turned off', async () => {
    await setting('closingEmailEnabled', false)
    const c = await pendingConversation()
    time.advanceDays(23)
    await runLifecycleSweep(ctx)
    time.advanceDays(7)
    expect((await runLifecycleSweep(ctx)).closed).toBe(1)
    expect(await mails(c.id, 'closing')).toHaveLength(0)
  })

  it('catches up after downtime without cutting the customer’s warning short', async () => {
    const c = await pendingConversation()
    time.advanceDays(45) // the app was down from day 20 to day 45
    expect(await runLifecycleSweep(ctx)).toEqual({ reminded: 1, closed: 0 })
    time.advanceDays(7)
    expect(await runLifecycleSweep(ctx)).toEqual({ reminded: 0, closed: 1 })
    expect((await state(c.id)).status).toBe('closed')
  })

  it('reopens a closed conversation on a reply within the window; after it, a new linked one', async () => {
    const closeBySweeps = async () => {
      const c = await pendingConversation()
      time.advanceDays(23)
      await runLifecycleSweep(ctx)
      time.advanceDays(7)
      await runLifecycleSweep(ctx)
      expect((await state(c.id)).status).toBe('closed')
      return c
    }
    const c = await closeBySweeps()
    time.advanceDays(6)
    const back = await addCustomerMessage(ctx, { conversationId: c.id, customerId: c.customerId, text: 'It happened again.' })
    expect(back.conversation).toMatchObject({ id: c.id, status: 'open' })

    const d = await closeBySweeps()
    time.advanceDays(31)
    const late = await addCustomerMessage(ctx, { conversationId: d.id, customerId: d.customerId, text: 'Hello again.' })
    expect(late.conversation.id).not.toBe(d.id)
    expect(late.conversation.previousConversationId).toBe(d.id)
  })

  it('two sweeps at once remind and close each conversation once', async () => {
    const ids = []
    for (let i = 0; i < 30; i++) ids.push((await pendingConversation()).id)
    time.advanceDays(23)
    const [a, b] = await Promise.all([runLifecycleSweep(ctx, { batchSize: 7 }), runLifecycleSweep(ctx, { batchSize: 7 })])
    expect(a.reminded + b.reminded).toBe(30)
    time.advanceDays(7)
    const [x, y] = await Promise.all([runLifecycleSweep(ctx, { batchSize: 7 }), runLifecycleSweep(ctx, { batchSize: 7 })])
    expect(x.closed + y.closed).toBe(30)
    const perConversation = await ctx.prisma.outboxEmail.groupBy({ by: ['conversationId', 'kind'], where: { conversationId: { in: ids } }, _count: { _all: true } })
    expect(perConversation.filter((g) => g.kind === 'reminder').every((g) => g._count._all === 1)).toBe(true)
    expect(perConversation.filter((g) => g.kind === 'closing').every((g) => g._count._all === 1)).toBe(true)
  })
})
