import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../src/domain/actor.ts'
import type { DomainContext } from '../../../src/domain/context.ts'
import { NotFoundError } from '../../../src/domain/errors.ts'
import { statusPageUrl } from '../../../src/mail/customerLinks.ts'
import { createSavedReply } from '../../../src/domain/savedReplies/manageSavedReplies.ts'
import { useSavedReply } from '../../../src/domain/savedReplies/useSavedReply.ts'
import { buildAgent, buildConversation, buildFolder, testClock } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

describe('using a saved reply in a conversation', () => {
  const time = testClock()
  let app: TestApp
  let ctx: DomainContext
  let admin: Actor
  let agent: Actor
  let outsider: Actor
  let folderId: number
  let otherFolderId: number

  beforeAll(async () => {
    app = await startTestApp({}, { clock: time.clock })
    ctx = app.ctx.domain
    folderId = (await buildFolder(ctx.prisma, 'Support')).id
    otherFolderId = (await buildFolder(ctx.prisma, 'Sales')).id
    admin = await buildAgent(ctx.prisma, { role: 'admin' })
    agent = await buildAgent(ctx.prisma, { folderIds: [folderId], name: 'Paul Martin' })
    outsider = await buildAgent(ctx.prisma, { folderIds: [otherFolderId], name: 'Olga' })
  })
  afterAll(async () => {
    await app?.close()
  })

  it('fills the variables for the conversation, counts the use and writes it in the history, in one go', async () => {
    const c = await buildConversation(ctx, agent, { folderId, customerName: 'Jeanne <Marie> Durand', customerEmail: 'jeanne@example.com' })
    const reply = await createSavedReply(ctx, admin, {
      name: 'Greeting',
      folderId: '',
      html: '<p>Bonjour {{customer.firstName}},</p><p>Conversation #{{conversation.number}}: {{conversation.statusLink}}</p><p>{{agent.firstName}} ({{agent.name}}) {{agent.mood}}</p>',
    })
    const used = await useSavedReply(ctx, agent, { conversationId: c.id, savedReplyId: reply.id })
    const link = statusPageUrl(ctx.mail, c.id)
    expect(used.name).toBe('Greeting')
    expect(used.html).toContain('<p>Bonjour Jeanne,</p>')
    expect(used.html).toContain(`Conversation #${c.number}: <a href="${link}"`)
    expect(used.html).toContain('<p>Paul (Paul Martin) {{agent.mood}}</p>')
    const counted = await ctx.prisma.savedReply.findUniqueOrThrow({ where: { id: reply.id } })
    expect(counted).toMatchObject({ useCount: 1, lastUsedAt: time.clock() })
    const events = await ctx.prisma.event.findMany({ where: { type: 'saved_reply.used', conversationId: c.id } })
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({ actorAgentId: agent.id, folderId, data: { savedReplyId: reply.id } })

    time.advance(60_000)
    await useSavedReply(ctx, agent, { conversationId: c.id, savedReplyId: reply.id })
    expect(await ctx.prisma.savedReply.findUniqueOrThrow({ where: { id: reply.id } })).toMatchObject({ useCount: 2, lastUsedAt: time.clock() })
  })

  it('escapes the customer’s name and greets without a name when there is none', async () => {
    const c = await buildConversation(ctx, agent, { folderId, customerName: '', customerEmail: 'noname@example.com' })
    const reply = await createSavedReply(ctx, agent, { name: 'Hello', folderId, html: '<p>Hello {{customer.firstName}}, thanks.</p>' })
    expect((await useSavedReply(ctx, agent, { conversationId: c.id, savedReplyId: reply.id })).html).toBe('<p>Hello, thanks.</p>')
  })

  it('a folder’s saved reply is not usable in another folder’s conversation, and nothing is counted', async () => {
    const sales = await createSavedReply(ctx, outsider, { name: 'Sales pitch', folderId: otherFolderId, html: '<p>Buy more</p>' })
    const c = await buildConversation(ctx, agent, { folderId })
    await expect(useSavedReply(ctx, admin, { conversationId: c.id, savedReplyId: sales.id })).rejects.toMatchObject({ key: 'error.savedReplyNotFound' })
    expect(await ctx.prisma.savedReply.findUniqueOrThrow({ where: { id: sales.id } })).toMatchObject({ useCount: 0, lastUsedAt: null })
    expect(await ctx.prisma.event.count({ where: { type: 'saved_reply.used', conversationId: c.id } })).toBe(0)
  })

  it('an agent outside the conversation’s folder cannot use anything on it', async () => {
    const c = await buildConversation(ctx, agent, { folderId })
    const shared = await ctx.prisma.savedReply.findFirstOrThrow({ where: { name: 'Greeting' } })
    await expect(useSavedReply(ctx, outsider, { conversationId: c.id, savedReplyId: shared.id })).rejects.toBeInstanceOf(NotFoundError)
    await expect(useSavedReply(ctx, agent, { conversationId: c.id, savedReplyId: 'x' })).rejects.toBeInstanceOf(NotFoundError)
    expect(await ctx.prisma.event.count({ where: { type: 'saved_reply.used', conversationId: c.id } })).toBe(0)
  })
})
