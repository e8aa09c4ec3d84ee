import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { asCustomer, SYSTEM, type Actor } from '../../../src/domain/actor.ts'
import { addCustomerMessage } from '../../../src/domain/conversations/commands/addCustomerMessage.ts'
import { recordCustomerAnswer } from '../../../src/domain/conversations/commands/recordCustomerAnswer.ts'
import { replyAsAgent } from '../../../src/domain/conversations/commands/replyAsAgent.ts'
import { closeConversation } from '../../../src/domain/conversations/commands/setConversationStatus.ts'
import { snoozeConversation, wakeConversation } from '../../../src/domain/conversations/commands/snoozeConversation.ts'
import type { DomainContext } from '../../../src/domain/context.ts'
import { UNTIL_ANSWER } from '../../../src/domain/conversations/snooze.ts'
import { NotFoundError, ValidationError } from '../../../src/domain/errors.ts'
import { runLifecycleSweep } from '../../../src/domain/lifecycle/sweep.ts'
import { buildAgent, buildConversation, buildFolder, testClock } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

const HOUR = 60 * 60 * 1000
const DAY = 24 * HOUR

describe('snoozing a conversation', () => {
  const time = testClock()
  let app: TestApp
  let ctx: DomainContext
  let agent: Actor
  let outsider: Actor
  let folderId: number

  beforeAll(async () => {
    app = await startTestApp({}, { clock: time.clock })
    ctx = app.ctx.domain
    folderId = (await buildFolder(ctx.prisma, 'Snooze desk')).id
    agent = await buildAgent(ctx.prisma, { name: 'Sam Snoozer', folderIds: [folderId] })
    outsider = await buildAgent(ctx.prisma, { folderIds: [(await buildFolder(ctx.prisma)).id] })
  })
  afterAll(async () => {
    await app?.close()
  })

  const open = () => buildConversation(ctx, agent, { folderId, status: 'open', assigneeId: agent.id })
  const row = (id: number) => ctx.prisma.conversation.findUniqueOrThrow({ where: { id } })
  const events = async (id: number, type: string) =>
    (await ctx.prisma.historyEvent.findMany({ where: { conversationId: id, type }, orderBy: { id: 'asc' } })).map((e) => ({
      actorKind: e.actorKind,
      actorAgentId: e.actorAgentId,
      data: e.data,
    }))

  it('until a moment: sets when, until when and by whom, and records it', async () => {
    const c = await open()
    const until = new Date(time.clock().getTime() + 3 * HOUR)
    await snoozeConversation(ctx, agent, { conversationId: c.id, until })
    expect(await row(c.id)).toMatchObject({ snoozedAt: time.clock(), snoozedUntil: until, snoozedById: agent.id, status: 'open' })
    expect(await events(c.id, 'conversation.snoozed')).toEqual([{ actorKind: 'agent', actorAgentId: agent.id, data: { until: until.toISOString() } }])
  })

  it('until the customer answers: no moment, and their message ends it in the same transaction', async () => {
    const c = await open()
    await snoozeConversation(ctx, agent, { conversationId: c.id, until: null })
    // Stored as a wake time beyond any real one, so that the snoozedUntil index holds it.
    expect(await row(c.id)).toMatchObject({ snoozedUntil: UNTIL_ANSWER, snoozedById: agent.id })
    expect((await events(c.id, 'conversation.snoozed'))[0]!.data).toEqual({ until: null })

    time.advance(HOUR)
    const { conversation } = await addCustomerMessage(ctx, asCustomer(c.customerId), { conversationId: c.id, text: 'Any news?' })
    expect(conversation).toMatchObject({ snoozedAt: null, snoozedUntil: null, snoozedById: null })
    expect(await row(c.id)).toMatchObject({ snoozedAt: null, lastActivityAt: time.clock() })
    // A customer's event names them too (recordEvents adds customerId).
    expect(await events(c.id, 'conversation.woke')).toMatchObject([
      { actorKind: 'customer', actorAgentId: null, data: { reason: 'customer', assigneeId: agent.id } },
    ])
  })

  it('a customer message ends a timed snooze too; an automatic reply does not', async () => {
    const c = await open()
    await snoozeConversation(ctx, agent, { conversationId: c.id, until: new Date(time.clock().getTime() + DAY) })
    await addCustomerMessage(ctx, asCustomer(c.customerId), { conversationId: c.id, text: 'I am away', isAutoReply: true })
    expect((await row(c.id)).snoozedAt).not.toBeNull()
    await addCustomerMessage(ctx, asCustomer(c.customerId), { conversationId: c.id, text: 'Back now' })
    expect((await row(c.id)).snoozedAt).toBeNull()
    expect((await events(c.id, 'conversation.woke')).map((e) => e.data)).toMatchObject([{ reason: 'customer', assigneeId: agent.id }])
  })

  it('"still need help" on a reminder is an answer: it ends the snooze', async () => {
    const c = await buildConversation(ctx, agent, { folderId, mode: 'send', assigneeId: agent.id })
    await snoozeConversation(ctx, agent, { conversationId: c.id, until: null })
    await recordCustomerAnswer(ctx, asCustomer(c.customerId), { conversationId: c.id, answer: 'not-solved' })
    expect(await row(c.id)).toMatchObject({ status: 'open', snoozedAt: null })
    expect((await events(c.id, 'conversation.woke')).map((e) => e.data)).toMatchObject([{ reason: 'customer', assigneeId: agent.id }])
  })

  it('an agent replying keeps the snooze (it waits for the customer all the more)', async () => {
    const c = await open()
    await snoozeConversation(ctx, agent, { conversationId: c.id, until: null })
    await replyAsAgent(ctx, agent, { conversationId: c.id, text: 'We are looking into it.' })
    expect(await row(c.id)).toMatchObject({ status: 'pending', snoozedById: agent.id })
  })

  it('unsnoozed by hand: cleared, recorded with the reason "agent", its place in the list unchanged', async () => {
    const c = await open()
    await snoozeConversation(ctx, agent, { conversationId: c.id, until: new Date(time.clock().getTime() + DAY) })
    const before = (await row(c.id)).lastActivityAt
    time.advance(HOUR)
    await wakeConversation(ctx, agent, { conversationId: c.id, reason: 'agent' })
    expect(await row(c.id)).toMatchObject({ snoozedAt: null, snoozedUntil: null, snoozedById: null, lastActivityAt: before })
    expect(await events(c.id, 'conversation.woke')).toEqual([{ actorKind: 'agent', actorAgentId: agent.id, data: { reason: 'agent', assigneeId: agent.id } }])
    // Waking what is not snoozed changes and records nothing.
    await wakeConversation(ctx, agent, { conversationId: c.id, reason: 'agent' })
    expect(await events(c.id, 'conversation.woke')).toHaveLength(1)
  })

  it('closing a snoozed conversation ends the snooze, by hand or by the sweep', async () => {
    const c = await open()
    await snoozeConversation(ctx, agent, { conversationId: c.id, until: null })
    await closeConversation(ctx, agent, { conversationId: c.id })
    expect(await row(c.id)).toMatchObject({ status: 'closed', snoozedAt: null, snoozedUntil: null, snoozedById: null })

    const silent = await buildConversation(ctx, agent, { folderId, mode: 'send' })
    await snoozeConversation(ctx, agent, { conversationId: silent.id, until: null })
    time.advanceDays(40)
    await runLifecycleSweep(ctx, SYSTEM)
    await runLifecycleSweep(ctx, SYSTEM)
    time.advanceDays(10)
    await runLifecycleSweep(ctx, SYSTEM)
    expect(await row(silent.id)).toMatchObject({ status: 'closed', snoozedAt: null, snoozedUntil: null })
  })

  it('refuses a closed conversation, a moment past or more than a year ahead, with a clear error', async () => {
    const closed = await buildConversation(ctx, agent, { folderId, status: 'closed' })
    await expect(snoozeConversation(ctx, agent, { conversationId: closed.id, until: null })).rejects.toMatchObject({ key: 'error.snooze.closed' })
    const c = await open()
    const now = time.clock().getTime()
    await expect(snoozeConversation(ctx, agent, { conversationId: c.id, until: new Date(now) })).rejects.toMatchObject({ key: 'error.snooze.past' })
    await expect(snoozeConversation(ctx, agent, { conversationId: c.id, until: new Date(now - HOUR) })).rejects.toBeInstanceOf(ValidationError)
    await expect(snoozeConversation(ctx, agent, { conversationId: c.id, until: new Date(now + 367 * DAY) })).rejects.toMatchObject({
      key: 'error.snooze.tooFar',
    })
    await snoozeConversation(ctx, agent, { conversationId: c.id, until: new Date(now + 364 * DAY) })
    expect((await row(c.id)).snoozedAt).not.toBeNull()
    expect(await events(closed.id, 'conversation.snoozed')).toEqual([])
  })

  it('an agent outside the folder can neither snooze nor wake it', async () => {
    const c = await open()
    await expect(snoozeConversation(ctx, outsider, { conversationId: c.id, until: null })).rejects.toBeInstanceOf(NotFoundError)
    await snoozeConversation(ctx, agent, { conversationId: c.id, until: null })
    await expect(wakeConversation(ctx, outsider, { conversationId: c.id, reason: 'agent' })).rejects.toBeInstanceOf(NotFoundError)
    expect((await row(c.id)).snoozedAt).not.toBeNull()
  })
})
