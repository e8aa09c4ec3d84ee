import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { asCustomer, type Actor } from '../../../src/domain/actor.ts'
import type { DomainContext } from '../../../src/domain/context.ts'
import { addCustomerMessage } from '../../../src/domain/conversations/commands/addCustomerMessage.ts'
import { mergeConversations } from '../../../src/domain/conversations/commands/mergeConversations.ts'
import { replyAsAgent } from '../../../src/domain/conversations/commands/replyAsAgent.ts'
import { splitMessage } from '../../../src/domain/conversations/commands/splitMessage.ts'
import { addTag } from '../../../src/domain/conversations/commands/tagConversation.ts'
import { getConversationPage } from '../../../src/domain/conversations/getConversation.ts'
import { survivingConversationId } from '../../../src/domain/conversations/merged.ts'
import { NotFoundError, ValidationError } from '../../../src/domain/errors.ts'
import { folderScope } from '../../../src/domain/policy.ts'
import { presentConversationPage } from '../../../src/web/presenters/conversationPage.ts'
import { buildAgent, buildConversation, buildFolder, buildTag, testClock } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

const MINUTE = 60_000

describe('merging two conversations of a customer, and splitting a message out', () => {
  const time = testClock()
  let app: TestApp
  let ctx: DomainContext
  let ada: Actor
  let outsider: Actor
  let folderId: number
  let otherFolderId: number
  let n = 0

  beforeAll(async () => {
    app = await startTestApp({}, { clock: time.clock })
    ctx = app.ctx.domain
    folderId = (await buildFolder(ctx.prisma, 'Support')).id
    otherFolderId = (await buildFolder(ctx.prisma, 'Billing')).id
    ada = await buildAgent(ctx.prisma, { name: 'Ada', folderIds: [folderId] })
    outsider = await buildAgent(ctx.prisma, { name: 'Otto', folderIds: [otherFolderId] })
  })
  afterAll(async () => {
    await app?.close()
  })

  const prisma = () => ctx.prisma
  const newEmail = () => `merge-${++n}-${Date.now()}@customer.example`
  const conversation = (id: number) => prisma().conversation.findUniqueOrThrow({ where: { id } })
  const historyOf = async (conversationId: number) =>
    (await prisma().historyEvent.findMany({ where: { conversationId }, orderBy: { id: 'asc' } })).map((h) => ({ type: h.type, data: h.data }))
  const customerWrites = async (conversationId: number, text: string, files?: { fileName: string; data: Buffer }[]) => {
    time.advance(MINUTE)
    const c = await conversation(conversationId)
    return addCustomerMessage(ctx, asCustomer(c.customerId), { conversationId, text, files })
  }
  /** Two conversations of one customer: the first with a file and a tag, the second with a reply. */
  async function pair(options: { sourceFolderId?: number } = {}) {
    const customerEmail = newEmail()
    const source = await buildConversation(ctx, ada, { folderId, customerEmail, subject: 'Lamp broken', text: 'My lamp flickers.' })
    await customerWrites(source.id, 'Here is a photo of it.', [{ fileName: 'lamp.pdf', data: Buffer.from('%PDF-1.4 lamp') }])
    const tag = await buildTag(prisma(), `lamp-${n}`)
    await addTag(ctx, ada, { conversationId: source.id, tagId: tag.id })
    time.advance(MINUTE)
    const target = await buildConversation(ctx, ada, { folderId, customerEmail, subject: 'Lamp order', text: 'Where is my second lamp?' })
    await replyAsAgent(ctx, ada, { conversationId: target.id, text: 'It left our warehouse today.' })
    if (options.sourceFolderId) await prisma().conversation.update({ where: { id: source.id }, data: { folderId: options.sourceFolderId } })
    return { source, target, tag }
  }

  it('moves the messages, files and tags into the target; the source is closed and points to it', async () => {
    const { source, target, tag } = await pair()
    await prisma().conversationFollower.create({ data: { agentId: ada.id, conversationId: source.id } })
    await prisma().draft.create({ data: { agentId: ada.id, conversationId: source.id, text: 'half a reply' } })
    const before = await conversation(target.id)
    time.advance(MINUTE)

    const result = await mergeConversations(ctx, ada, { sourceId: source.id, targetId: target.id })
    expect(result.movedMessages).toBe(2)

    expect(await prisma().message.count({ where: { conversationId: source.id } })).toBe(0)
    expect((await prisma().message.findMany({ where: { conversationId: target.id }, orderBy: { createdAt: 'asc' } })).map((m) => m.bodyText)).toEqual([
      'My lamp flickers.',
      'Here is a photo of it.',
      'Where is my second lamp?',
      'It left our warehouse today.',
    ])
    expect(await prisma().attachment.findMany({ where: { conversationId: target.id }, select: { fileName: true } })).toEqual([{ fileName: 'lamp.pdf' }])
    expect(await prisma().conversationTag.findMany({ where: { conversationId: target.id }, select: { tagId: true } })).toEqual([{ tagId: tag.id }])
    expect(await prisma().conversationFollower.findMany({ where: { agentId: ada.id }, select: { conversationId: true } })).toEqual([
      { conversationId: target.id },
    ])
    expect((await prisma().draft.findFirstOrThrow({ where: { agentId: ada.id, text: 'half a reply' } })).conversationId).toBe(target.id)

    const merged = await conversation(source.id)
    expect(merged).toMatchObject({ status: 'closed', mergedIntoId: target.id, closedByKind: 'agent', closedById: ada.id })
    const survivor = await conversation(target.id)
    expect(survivor.messageCount).toBeGreaterThan(before.messageCount)
    // The latest public message of the joined thread is the target's own reply.
    expect(survivor.snippet).toBe('It left our warehouse today.')
    expect(survivor.lastCustomerMessageAt).toEqual((await prisma().message.findFirstOrThrow({ where: { bodyText: 'Where is my second lamp?' } })).createdAt)
    expect(survivor.lastAgentReplyAt).toEqual(before.lastAgentReplyAt)

    expect(await historyOf(source.id)).toEqual(
      expect.arrayContaining([
        { type: 'status.changed', data: { from: 'new', to: 'closed' } },
        { type: 'conversation.merged_into', data: { intoId: target.id, intoNumber: target.number } },
      ]),
    )
    expect((await historyOf(target.id)).at(-1)).toEqual({ type: 'conversation.merged', data: { fromId: source.id, fromNumber: source.number, messages: 2 } })
    expect(await survivingConversationId(prisma(), source.id)).toBe(target.id)
  })

  it('shows on the survivor its own history and the merged conversation’s, marked with its number', async () => {
    const { source, target } = await pair()
    await mergeConversations(ctx, ada, { sourceId: source.id, targetId: target.id })
    const page = await getConversationPage(prisma(), ada, await folderScope(prisma(), ada), target.number)
    const fromSource = page.history.filter((h) => h.conversationId === source.id)
    expect(fromSource.map((h) => h.type)).toEqual(
      expect.arrayContaining(['conversation.created', 'message.received', 'conversation.tagged', 'conversation.merged_into']),
    )
    expect(new Set(fromSource.map((h) => h.fromNumber))).toEqual(new Set([source.number]))
    expect(page.history.filter((h) => h.conversationId === target.id).every((h) => h.fromNumber === null)).toBe(true)
    expect(page.messages).toHaveLength(4)

    const view = presentConversationPage(page, time.clock(), {})
    expect(view.history.map((h) => h.text)).toContain(`Ada merged #${source.number} into this conversation`)
    expect(view.history.find((h) => h.text === `Ada merged it into #${target.number}`)?.fromNumber).toBe(source.number)
    // The merged conversation's own page still shows its history (and no messages).
    const sourcePage = await getConversationPage(prisma(), ada, await folderScope(prisma(), ada), source.number)
    expect(sourcePage.messages).toEqual([])
    expect(sourcePage.history.map((h) => h.type)).toContain('conversation.merged_into')
  })

  it('lets queued e-mails of the merged conversation leave: they were promised', async () => {
    const { source, target } = await pair()
    const sent = await replyAsAgent(ctx, ada, { conversationId: source.id, text: 'We send a new bulb.', holdForUndo: true })
    await mergeConversations(ctx, ada, { sourceId: source.id, targetId: target.id })
    expect(await prisma().outboxEmail.findUniqueOrThrow({ where: { messageId: sent.message.emailMessageId! } })).toMatchObject({ status: 'queued' })
  })

  it('refuses conversations of two customers, but accepts customers merged into one another', async () => {
    const a = await buildConversation(ctx, ada, { folderId, customerEmail: newEmail() })
    const b = await buildConversation(ctx, ada, { folderId, customerEmail: newEmail() })
    const refused = await mergeConversations(ctx, ada, { sourceId: a.id, targetId: b.id }).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(ValidationError)
    expect((refused as ValidationError).key).toBe('merge.error.otherCustomer')
    expect((await conversation(a.id)).mergedIntoId).toBeNull()
    expect(await prisma().message.count({ where: { conversationId: a.id } })).toBe(1)

    // The same person under two addresses, merged as customers: their conversations may be merged.
    await prisma().customer.update({ where: { id: a.customerId }, data: { mergedIntoId: b.customerId } })
    await mergeConversations(ctx, ada, { sourceId: a.id, targetId: b.id })
    expect((await conversation(a.id)).mergedIntoId).toBe(b.id)
  })

  it('refuses what the agent cannot act on: a conversation in a folder not theirs is not found, and nothing moves', async () => {
    const { source, target } = await pair({ sourceFolderId: otherFolderId })
    await expect(mergeConversations(ctx, ada, { sourceId: source.id, targetId: target.id })).rejects.toBeInstanceOf(NotFoundError)
    await expect(mergeConversations(ctx, ada, { sourceId: target.id, targetId: source.id })).rejects.toBeInstanceOf(NotFoundError)
    await expect(mergeConversations(ctx, outsider, { sourceId: source.id, targetId: target.id })).rejects.toBeInstanceOf(NotFoundError)
    expect(await prisma().message.count({ where: { conversationId: source.id } })).toBe(2)
    expect((await conversation(source.id)).mergedIntoId).toBeNull()
  })

  it('refuses merging twice, into a merged conversation, or into itself', async () => {
    const { source, target } = await pair()
    await mergeConversations(ctx, ada, { sourceId: source.id, targetId: target.id })
    const third = await buildConversation(ctx, ada, {
      folderId,
      customerEmail: (await prisma().customer.findUniqueOrThrow({ where: { id: target.customerId } })).email,
    })
    for (const [sourceId, targetId] of [
      [source.id, target.id],
      [source.id, third.id],
      [third.id, source.id],
    ] as const) {
      const refused = await mergeConversations(ctx, ada, { sourceId, targetId }).catch((e: unknown) => e)
      expect((refused as ValidationError).key).toBe('merge.error.alreadyMerged')
    }
    expect(((await mergeConversations(ctx, ada, { sourceId: third.id, targetId: third.id }).catch((e: unknown) => e)) as ValidationError).key).toBe(
      'merge.error.same',
    )
  })

  it('refuses a reply on the merged conversation: its messages and its reply box are in the survivor', async () => {
    const { source, target } = await pair()
    await mergeConversations(ctx, ada, { sourceId: source.id, targetId: target.id })
    const before = await prisma().message.count({ where: { conversationId: target.id } })
    const refused = await replyAsAgent(ctx, ada, { conversationId: source.id, text: 'Late answer.' }).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(ValidationError)
    expect((refused as ValidationError).key).toBe('error.replyToMergedConversation')
    expect(await prisma().message.count({ where: { conversationId: { in: [source.id, target.id] } } })).toBe(before)
    expect((await conversation(source.id)).status).toBe('closed')
  })

  it('follows a chain of merges to the last survivor', async () => {
    const { source, target } = await pair()
    const customer = await prisma().customer.findUniqueOrThrow({ where: { id: target.customerId } })
    const last = await buildConversation(ctx, ada, { folderId, customerEmail: customer.email })
    await mergeConversations(ctx, ada, { sourceId: source.id, targetId: target.id })
    await mergeConversations(ctx, ada, { sourceId: target.id, targetId: last.id })
    expect(await survivingConversationId(prisma(), source.id)).toBe(last.id)
    // The last survivor's history holds all three.
    const page = await getConversationPage(prisma(), ada, await folderScope(prisma(), ada), last.number)
    expect(new Set(page.history.map((h) => h.fromNumber))).toEqual(new Set([null, source.number, target.number]))
    expect(page.messages).toHaveLength(5)
  })

  it('splits a customer’s later message, with its files, into a new open conversation of the same customer and folder', async () => {
    const original = await buildConversation(ctx, ada, { folderId, customerEmail: newEmail(), subject: 'Invoice', text: 'Please send the invoice.' })
    await replyAsAgent(ctx, ada, { conversationId: original.id, text: 'Attached.' })
    const { message } = await customerWrites(original.id, 'Also: my lamp is broken.', [{ fileName: 'photo.pdf', data: Buffer.from('%PDF-1.4 photo') }])
    const before = await conversation(original.id)
    time.advance(MINUTE)

    const { conversation: split } = await splitMessage(ctx, ada, { messageId: message.id })
    expect(split).toMatchObject({
      subject: 'Invoice',
      status: 'open',
      folderId,
      customerId: original.customerId,
      channel: original.channel,
      messageCount: 1,
      snippet: 'Also: my lamp is broken.',
    })
    expect((await prisma().message.findUniqueOrThrow({ where: { id: message.id } })).conversationId).toBe(split.id)
    expect(await prisma().attachment.findMany({ where: { conversationId: split.id }, select: { fileName: true, messageId: true } })).toEqual([
      { fileName: 'photo.pdf', messageId: message.id },
    ])
    const left = await conversation(original.id)
    expect(left.snippet).toBe('Attached.')
    expect(left.lastCustomerMessageAt).toEqual((await prisma().message.findFirstOrThrow({ where: { bodyText: 'Please send the invoice.' } })).createdAt)
    expect(left.messageCount).toBeGreaterThan(before.messageCount)
    expect(await prisma().message.count({ where: { conversationId: original.id } })).toBe(2)

    expect((await historyOf(original.id)).at(-1)).toEqual({ type: 'message.split', data: { messageId: message.id, toId: split.id, toNumber: split.number } })
    expect(await historyOf(split.id)).toEqual([
      { type: 'conversation.created', data: { channel: original.channel, splitFrom: original.number } },
      { type: 'conversation.split_from', data: { fromId: original.id, fromNumber: original.number, messageId: message.id } },
    ])
  })

  it('keeps the first message, and an agent’s, where they are; an outsider cannot split', async () => {
    const original = await buildConversation(ctx, ada, { folderId, customerEmail: newEmail() })
    const reply = await replyAsAgent(ctx, ada, { conversationId: original.id, text: 'On it.' })
    const first = await prisma().message.findFirstOrThrow({ where: { conversationId: original.id }, orderBy: { id: 'asc' } })
    expect(((await splitMessage(ctx, ada, { messageId: first.id }).catch((e: unknown) => e)) as ValidationError).key).toBe('split.error.firstMessage')
    expect(((await splitMessage(ctx, ada, { messageId: reply.message.id }).catch((e: unknown) => e)) as ValidationError).key).toBe('split.error.notCustomer')
    const { message } = await customerWrites(original.id, 'Another thing.')
    await expect(splitMessage(ctx, outsider, { messageId: message.id })).rejects.toBeInstanceOf(NotFoundError)
    await expect(splitMessage(ctx, ada, { messageId: message.id, conversationId: original.id + 100_000 })).rejects.toBeInstanceOf(NotFoundError)
    expect(await prisma().message.count({ where: { conversationId: original.id } })).toBe(3)
  })
})
