import { asCustomer } from '../../../src/domain/actor.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../src/domain/actor.ts'
import { addCustomerMessage } from '../../../src/domain/conversations/commands/addCustomerMessage.ts'
import { addInternalComment } from '../../../src/domain/conversations/commands/addInternalComment.ts'
import { assignConversation } from '../../../src/domain/conversations/commands/assignConversation.ts'
import { createConversation } from '../../../src/domain/conversations/commands/createConversation.ts'
import { moveConversation } from '../../../src/domain/conversations/commands/moveConversation.ts'
import { replyAsAgent, ThreadChangedError } from '../../../src/domain/conversations/commands/replyAsAgent.ts'
import { closeConversation, reopenConversation, setConversationStatus } from '../../../src/domain/conversations/commands/setConversationStatus.ts'
import { addTag, removeTag } from '../../../src/domain/conversations/commands/tagConversation.ts'
import { NotFoundError, ValidationError } from '../../../src/domain/errors.ts'
import type { DomainContext } from '../../../src/domain/context.ts'
import type { ConversationEvent } from '../../../src/realtime/events.ts'
import { buildAgent, buildConversation, buildFolder, buildTag, testClock } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

describe('conversation commands', () => {
  const time = testClock()
  let app: TestApp
  let ctx: DomainContext
  let admin: Actor
  let folderId: number
  const events: ConversationEvent[] = []

  beforeAll(async () => {
    app = await startTestApp({}, { clock: time.clock })
    ctx = app.ctx.domain
    ctx.events.subscribe((e) => events.push(e))
    folderId = (await buildFolder(ctx.prisma, 'Support')).id
    admin = await buildAgent(ctx.prisma, { role: 'admin', name: 'Ada' })
  })
  afterAll(async () => {
    await app?.close()
  })

  const historyTypes = async (conversationId: number) =>
    (await ctx.prisma.historyEvent.findMany({ where: { conversationId }, orderBy: { id: 'asc' } })).map((h) => h.type)

  describe('creating a conversation', () => {
    it('sent to the customer: pending, e-mailed through the outbox with the message’s Message-ID', async () => {
      const { conversation, message } = await createConversation(ctx, admin, {
        customerEmail: 'Zoe@Example.com',
        customerName: 'Zoé',
        subject: 'Your invoice',
        folderId,
        mode: 'send',
        text: 'Here is the invoice you asked for.',
      })
      expect(conversation.status).toBe('pending')
      expect(conversation.pendingSince).toEqual(time.clock())
      expect(message.kind).toBe('agent')
      const mail = await ctx.prisma.outboxEmail.findFirstOrThrow({ where: { conversationId: conversation.id } })
      expect(mail).toMatchObject({
        kind: 'agent_reply',
        toAddress: 'zoe@example.com',
        subject: `[#${conversation.number}] Your invoice`,
        messageId: message.emailMessageId,
        status: 'queued',
      })
      expect(mail.text).toContain('Here is the invoice you asked for.')
      expect(await historyTypes(conversation.id)).toEqual(['conversation.created'])
      // Published after commit; across instances it travels through PostgreSQL, so it may take a moment.
      await expect
        .poll(() => events.find((e) => e.conversationId === conversation.id), { timeout: 5000 })
        .toMatchObject({ type: 'conversation.created', conversationId: conversation.id, folderId })
    })

    it('recorded for the customer: new, nothing sent', async () => {
      const { conversation, message } = await createConversation(ctx, admin, {
        customerEmail: 'caller@example.com',
        subject: 'Phone call',
        folderId,
        mode: 'record',
        text: 'Called about the delivery.',
      })
      expect(conversation.status).toBe('new')
      expect(message.kind).toBe('customer')
      expect(message.authorAgentId).toBe(admin.id)
      expect(await ctx.prisma.outboxEmail.count({ where: { conversationId: conversation.id } })).toBe(0)
    })

    it('notifies the assignee by e-mail with a link to the conversation', async () => {
      const bea = await buildAgent(ctx.prisma, { folderIds: [folderId], name: 'Bea' })
      const { conversation } = await createConversation(ctx, admin, {
        customerEmail: 'x@example.com',
        subject: 'For Bea',
        folderId,
        assigneeId: bea.id,
        mode: 'record',
        text: 'Please look.',
      })
      const note = await ctx.prisma.outboxEmail.findFirstOrThrow({ where: { conversationId: conversation.id, kind: 'notification' } })
      expect(note.toAddress).toBe(bea.email)
      expect(note.text).toContain(`/conversations/${conversation.number}`)
      expect(note.headers).toMatchObject({ 'Auto-Submitted': 'auto-generated' })
      expect(await historyTypes(conversation.id)).toEqual(['conversation.created', 'conversation.assigned'])
    })

    it('refuses an assignee who is not in the folder, and an empty message, writing nothing', async () => {
      const outsider = await buildAgent(ctx.prisma, { folderIds: [] })
      const before = await ctx.prisma.conversation.count()
      await expect(
        createConversation(ctx, admin, { customerEmail: 'y@example.com', subject: 'S', folderId, assigneeId: outsider.id, mode: 'record', text: 'x' }),
      ).rejects.toBeInstanceOf(ValidationError)
      await expect(
        createConversation(ctx, admin, { customerEmail: 'y@example.com', subject: 'S', folderId, mode: 'send', text: '   ' }),
      ).rejects.toBeInstanceOf(ValidationError)
      await expect(createConversation(ctx, admin, { customerEmail: 'not an address', subject: 'S', folderId, mode: 'send', text: 'x' })).rejects.toBeInstanceOf(
        ValidationError,
      )
      expect(await ctx.prisma.conversation.count()).toBe(before)
    })

    it('lets an agent create only in their own folders', async () => {
      const other = await buildFolder(ctx.prisma)
      const agent = await buildAgent(ctx.prisma, { folderIds: [folderId] })
      await expect(
        createConversation(ctx, agent, { customerEmail: 'z@example.com', subject: 'S', folderId: other.id, mode: 'record', text: 'x' }),
      ).rejects.toBeInstanceOf(NotFoundError)
    })
  })

  describe('replies, comments and customer messages follow the status rules', () => {
    it('an agent reply makes a new conversation pending and re-arms the pending period', async () => {
      const c = await buildConversation(ctx, admin, { folderId })
      time.advanceDays(1)
      const { conversation } = await replyAsAgent(ctx, admin, { conversationId: c.id, text: 'We are on it.' })
      expect(conversation.status).toBe('pending')
      expect(conversation.pendingSince).toEqual(time.clock())
      await ctx.prisma.conversation.update({ where: { id: c.id }, data: { reminderSentAt: time.clock() } })
      time.advanceDays(2)
      const again = await replyAsAgent(ctx, admin, { conversationId: c.id, text: 'Any news?' })
      expect(again.conversation.pendingSince).toEqual(time.clock())
      expect(again.conversation.reminderSentAt).toBeNull()
      expect(await historyTypes(c.id)).toEqual(['conversation.created', 'reply.sent', 'status.changed', 'reply.sent'])
    })

    it('threads the reply e-mail on the customer’s last message', async () => {
      const c = await buildConversation(ctx, admin, { folderId })
      await addCustomerMessage(ctx, asCustomer(c.customerId), { conversationId: c.id, text: 'Hello?', emailMessageId: '<abc@customer.example>' })
      const { message } = await replyAsAgent(ctx, admin, { conversationId: c.id, text: 'Hello!' })
      const mail = await ctx.prisma.outboxEmail.findUniqueOrThrow({ where: { messageId: message.emailMessageId! } })
      expect(mail.subject).toBe(`Re: [#${c.number}] ${c.subject}`)
      expect(mail.headers).toMatchObject({ 'In-Reply-To': '<abc@customer.example>', References: '<abc@customer.example>' })
    })

    it('a reply can close the conversation in the same step', async () => {
      const c = await buildConversation(ctx, admin, { folderId, status: 'open' })
      const { conversation } = await replyAsAgent(ctx, admin, { conversationId: c.id, text: 'Fixed, closing.', statusAfter: 'closed' })
      expect(conversation).toMatchObject({ status: 'closed', closedByKind: 'agent', closedById: admin.id, pendingSince: null })
    })

    it('an internal comment never changes the status and is never e-mailed', async () => {
      for (const status of ['new', 'open', 'pending', 'closed'] as const) {
        const c = await buildConversation(ctx, admin, { folderId, status })
        const mails = await ctx.prisma.outboxEmail.count()
        const { conversation, message } = await addInternalComment(ctx, admin, { conversationId: c.id, text: 'Secret note: customer is a reseller' })
        expect(conversation.status).toBe(status)
        expect(message.kind).toBe('internal')
        expect(await ctx.prisma.outboxEmail.count()).toBe(mails)
      }
      const leaked = await ctx.prisma.outboxEmail.count({ where: { OR: [{ text: { contains: 'Secret note' } }, { html: { contains: 'Secret note' } }] } })
      expect(leaked).toBe(0)
    })

    it('a customer message keeps a new conversation new and opens a pending one', async () => {
      const fresh = await buildConversation(ctx, admin, { folderId })
      expect((await addCustomerMessage(ctx, asCustomer(fresh.customerId), { conversationId: fresh.id, text: 'More details' })).conversation.status).toBe('new')
      const pending = await buildConversation(ctx, admin, { folderId, mode: 'send' })
      const { conversation } = await addCustomerMessage(ctx, asCustomer(pending.customerId), { conversationId: pending.id, text: 'Still broken' })
      expect(conversation).toMatchObject({ status: 'open', pendingSince: null })
      expect(conversation.lastCustomerMessageAt).toEqual(time.clock())
    })

    it('tells the assignee that the customer replied, by e-mail when they chose it', async () => {
      const bea = await buildAgent(ctx.prisma, { folderIds: [folderId] })
      // Customer replies reach the bell only, unless the agent asks for e-mail too (notificationPrefs).
      await ctx.prisma.agent.update({ where: { id: bea.id }, data: { notificationPrefs: { customer_reply: 'both' } } })
      const c = await buildConversation(ctx, admin, { folderId, mode: 'send', assigneeId: bea.id })
      await addCustomerMessage(ctx, asCustomer(c.customerId), { conversationId: c.id, text: 'Thanks, one more question' })
      const notes = await ctx.prisma.outboxEmail.findMany({ where: { conversationId: c.id, kind: 'notification', toAddress: bea.email } })
      expect(notes.map((n) => n.subject)).toEqual([expect.stringContaining('assigned you'), expect.stringContaining('The customer replied')])
    })

    it('an auto-reply stays in the thread but changes nothing and notifies nobody', async () => {
      const bea = await buildAgent(ctx.prisma, { folderIds: [folderId] })
      const c = await buildConversation(ctx, admin, { folderId, mode: 'send', assigneeId: bea.id })
      const mails = await ctx.prisma.outboxEmail.count()
      const { conversation, message } = await addCustomerMessage(ctx, asCustomer(c.customerId), {
        conversationId: c.id,
        text: 'I am out of office',
        isAutoReply: true,
      })
      expect(conversation.status).toBe('pending')
      expect(message.isAutoReply).toBe(true)
      expect(await ctx.prisma.outboxEmail.count()).toBe(mails)
      expect((await historyTypes(c.id)).at(-1)).toBe('auto_reply.received')
    })

    it('a reply to a conversation closed within the window reopens it; after the window it starts a linked one', async () => {
      const recent = await buildConversation(ctx, admin, { folderId, status: 'closed' })
      time.advanceDays(29)
      const reopened = await addCustomerMessage(ctx, asCustomer(recent.customerId), { conversationId: recent.id, text: 'It broke again' })
      expect(reopened.conversation).toMatchObject({ id: recent.id, status: 'open', closedAt: null })
      expect(reopened.followUpOf).toBeNull()

      const old = await buildConversation(ctx, admin, { folderId, status: 'closed' })
      time.advanceDays(31)
      const late = await addCustomerMessage(ctx, asCustomer(old.customerId), { conversationId: old.id, text: 'Remember me?' })
      expect(late.conversation.id).not.toBe(old.id)
      expect(late.conversation).toMatchObject({ status: 'new', previousConversationId: old.id, subject: old.subject })
      expect(late.followUpOf).toBe(old.id)
      expect((await ctx.prisma.conversation.findUniqueOrThrow({ where: { id: old.id } })).status).toBe('closed')
      expect((await historyTypes(old.id)).at(-1)).toBe('follow_up.created')
    })
  })

  describe('the traffic cop', () => {
    it('refuses a reply written against an older thread until the agent confirms', async () => {
      const c = await buildConversation(ctx, admin, { folderId })
      const seen = c.messageCount
      await addCustomerMessage(ctx, asCustomer(c.customerId), { conversationId: c.id, text: 'Actually, never mind' })
      await expect(replyAsAgent(ctx, admin, { conversationId: c.id, text: 'Answer', seenMessageCount: seen })).rejects.toBeInstanceOf(ThreadChangedError)
      expect(await ctx.prisma.message.count({ where: { conversationId: c.id, kind: 'agent' } })).toBe(0)
      // Confirming means sending again from the page that showed the new message.
      const shown = (await ctx.prisma.conversation.findUniqueOrThrow({ where: { id: c.id } })).messageCount
      await replyAsAgent(ctx, admin, { conversationId: c.id, text: 'Answer', seenMessageCount: shown })
      expect(await ctx.prisma.message.count({ where: { conversationId: c.id, kind: 'agent' } })).toBe(1)
    })
  })

  describe('status, assignment, folder and tags', () => {
    it('records every status change with from and to, and who closed it', async () => {
      const c = await buildConversation(ctx, admin, { folderId })
      await setConversationStatus(ctx, admin, { conversationId: c.id, status: 'pending' })
      const closed = await closeConversation(ctx, admin, { conversationId: c.id })
      expect(closed).toMatchObject({ status: 'closed', closedByKind: 'agent', closedById: admin.id })
      const reopened = await reopenConversation(ctx, admin, { conversationId: c.id })
      expect(reopened).toMatchObject({ status: 'open', closedAt: null })
      const changes = await ctx.prisma.historyEvent.findMany({ where: { conversationId: c.id, type: 'status.changed' }, orderBy: { id: 'asc' } })
      expect(changes.map((h) => h.data)).toEqual([
        { from: 'new', to: 'pending' },
        { from: 'pending', to: 'closed' },
        { from: 'closed', to: 'open' },
      ])
      expect(changes.every((h) => h.actorKind === 'agent' && h.actorAgentId === admin.id)).toBe(true)
    })

    it('assigns, moves (unassigning someone who cannot follow) and tags, each in the history', async () => {
      const other = await buildFolder(ctx.prisma)
      const bea = await buildAgent(ctx.prisma, { folderIds: [folderId] })
      const tag = await buildTag(ctx.prisma, `vip-${Date.now()}`)
      const c = await buildConversation(ctx, admin, { folderId })
      await assignConversation(ctx, admin, { conversationId: c.id, assigneeId: bea.id })
      expect(await addTag(ctx, admin, { conversationId: c.id, tagId: tag.id })).toBe(true)
      expect(await addTag(ctx, admin, { conversationId: c.id, tagId: tag.id })).toBe(false)
      const moved = await moveConversation(ctx, admin, { conversationId: c.id, folderId: other.id })
      expect(moved).toMatchObject({ folderId: other.id, assigneeId: null })
      expect(await removeTag(ctx, admin, { conversationId: c.id, tagId: tag.id })).toBe(true)
      expect(await historyTypes(c.id)).toEqual([
        'conversation.created',
        'conversation.assigned',
        'conversation.tagged',
        'conversation.moved',
        'conversation.assigned',
        'conversation.untagged',
      ])
      const movedEvent = await ctx.prisma.historyEvent.findFirstOrThrow({ where: { conversationId: c.id, type: 'conversation.moved' } })
      expect(movedEvent.data).toEqual({ from: folderId, to: other.id })
    })

    it('keeps an agent out of conversations of folders they are not in', async () => {
      const other = await buildFolder(ctx.prisma)
      const c = await buildConversation(ctx, admin, { folderId: other.id })
      const agent = await buildAgent(ctx.prisma, { folderIds: [folderId] })
      await expect(replyAsAgent(ctx, agent, { conversationId: c.id, text: 'hi' })).rejects.toBeInstanceOf(NotFoundError)
      await expect(addInternalComment(ctx, agent, { conversationId: c.id, text: 'hi' })).rejects.toBeInstanceOf(NotFoundError)
      await expect(setConversationStatus(ctx, agent, { conversationId: c.id, status: 'closed' })).rejects.toBeInstanceOf(NotFoundError)
      await expect(assignConversation(ctx, agent, { conversationId: c.id, assigneeId: agent.id })).rejects.toBeInstanceOf(NotFoundError)
      await expect(moveConversation(ctx, agent, { conversationId: c.id, folderId })).rejects.toBeInstanceOf(NotFoundError)
      expect(await historyTypes(c.id)).toEqual(['conversation.created'])
    })
  })

  describe('attachments and content', () => {
    it('refuses a file over the limit and keeps nothing of that message', async () => {
      await ctx.prisma.setting.upsert({ where: { key: 'attachmentMaxBytes' }, create: { key: 'attachmentMaxBytes', value: 4096 }, update: { value: 4096 } })
      try {
        const c = await buildConversation(ctx, admin, { folderId })
        const before = await ctx.prisma.message.count()
        await expect(
          replyAsAgent(ctx, admin, { conversationId: c.id, text: 'See attached', files: [{ fileName: 'big.bin', data: Buffer.alloc(5000, 1) }] }),
        ).rejects.toMatchObject({ key: 'error.fileTooLarge', values: { name: 'big.bin' } })
        expect(await ctx.prisma.message.count()).toBe(before)
      } finally {
        await ctx.prisma.setting.delete({ where: { key: 'attachmentMaxBytes' } })
      }
    })

    it('stores identical files once, sniffs their type and cleans their names', async () => {
      const c = await buildConversation(ctx, admin, { folderId })
      const pdf = Buffer.from('%PDF-1.4\n% a small but real-looking pdf\n')
      await addInternalComment(ctx, admin, { conversationId: c.id, text: 'one', files: [{ fileName: '../../etc/passwd.pdf', data: pdf }] })
      await addInternalComment(ctx, admin, { conversationId: c.id, text: 'two', files: [{ fileName: 'invoice.exe', data: pdf }] })
      const files = await ctx.prisma.attachment.findMany({ where: { conversationId: c.id }, orderBy: { id: 'asc' } })
      expect(files.map((f) => [f.fileName, f.mimeType])).toEqual([
        ['passwd.pdf', 'application/pdf'],
        ['invoice.exe', 'application/pdf'],
      ])
      expect(new Set(files.map((f) => f.blobSha256)).size).toBe(1)
      expect(await ctx.prisma.blob.count({ where: { sha256: files[0]!.blobSha256 } })).toBe(1)
      expect((await historyTypes(c.id)).filter((t) => t === 'attachment.added')).toHaveLength(2)
    })

    it('sanitises hostile HTML before storing it', async () => {
      const c = await buildConversation(ctx, admin, { folderId })
      const { message } = await replyAsAgent(ctx, admin, {
        conversationId: c.id,
        html: '<p onclick="x()">Hi <script>alert(1)</script><img src=x onerror=alert(2)><a href="javascript:alert(3)">link</a><svg onload=alert(4)></svg><iframe src="https://evil.example/"></iframe></p>',
      })
      expect(message.bodyHtml).not.toMatch(/script|onerror|onclick|javascript:|svg|evil\.example|alert/i)
      expect(message.bodyHtml).toContain('Hi')
    })
  })
})

describe('loop protection', () => {
  it('sends at most five automatic e-mails an hour to one address', async () => {
    const time = testClock()
    const app = await startTestApp({}, { clock: time.clock })
    try {
      const ctx = app.ctx.domain
      const folder = await buildFolder(ctx.prisma)
      const admin = await buildAgent(ctx.prisma, { role: 'admin' })
      const busy = await buildAgent(ctx.prisma, { folderIds: [folder.id] })
      for (let i = 0; i < 8; i++) await buildConversation(ctx, admin, { folderId: folder.id, assigneeId: busy.id })
      expect(await ctx.prisma.outboxEmail.count({ where: { toAddress: busy.email, kind: 'notification' } })).toBe(5)
    } finally {
      await app.close()
    }
  })
})
