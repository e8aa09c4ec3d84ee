import { z } from 'zod'
import type { Actor } from '../../actor.ts'
import { asAgent } from '../../actor.ts'
import type { DomainContext } from '../../context.ts'
import { fromZodError, ValidationError } from '../../errors.ts'
import { loadSettings } from '../../settings/settings.ts'
import { newMessageId } from '../../../mail/outbound/outbox.ts'
import { enqueueAgentReply } from '../../../mail/outbound/conversationEmails.ts'
import { assertFolderVisible, canWorkInFolder } from '../access.ts'
import { appendMessage } from '../appendMessage.ts'
import { recordHistory } from '../history.ts'
import { notifyAssignment } from './assignConversation.ts'
import { assertFileSizes, hasContent, prepareBody, type UploadedFile } from '../messageBody.ts'
import { findOrCreateCustomer } from '../../customers/findOrCreateCustomer.ts'

export const createConversationSchema = z.object({
  customerEmail: z.email('Enter the customer’s e-mail address').trim().toLowerCase().max(254),
  customerName: z.string().trim().max(200).default(''),
  subject: z.string().trim().min(1, 'Enter a subject').max(300),
  folderId: z.number().int().positive('Choose a folder'),
  assigneeId: z.number().int().positive().nullable().default(null),
  html: z.string().max(40_000_000).optional(),
  text: z.string().max(1_000_000).optional(),
  /** send: e-mail it to the customer (pending); record: note down what the customer asked (new). */
  mode: z.enum(['send', 'record']),
})
export type CreateConversationInput = z.input<typeof createConversationSchema> & { files?: UploadedFile[] }

/** An agent starts a conversation: a message sent to the customer, or the customer's request recorded. */
export async function createConversation(ctx: DomainContext, agent: Actor, input: CreateConversationInput) {
  const parsed = createConversationSchema.safeParse(input)
  if (!parsed.success) throw fromZodError(parsed.error)
  const p = parsed.data
  const files = input.files ?? []
  const settings = await loadSettings(ctx.prisma)
  assertFileSizes(files, settings.attachmentMaxBytes)
  const body = await prepareBody({ html: p.html, text: p.text }, settings.attachmentMaxBytes)
  if (!hasContent(body) && files.length === 0) throw new ValidationError('Write the message first', { body: 'Write the message first.' })
  const actor = asAgent(agent)

  const result = await ctx.prisma.$transaction(async (tx) => {
    const now = ctx.clock()
    const folder = await assertFolderVisible(tx, actor, p.folderId)
    if (p.assigneeId !== null && !(await canWorkInFolder(tx, p.assigneeId, folder.id))) {
      throw new ValidationError('That agent cannot work in this folder', { assigneeId: 'Choose an active agent of this folder.' })
    }
    const customer = await findOrCreateCustomer(tx, p.customerEmail, p.customerName)
    const sending = p.mode === 'send'
    const created = await tx.conversation.create({
      data: {
        subject: p.subject,
        channel: 'agent',
        status: sending ? 'pending' : 'new',
        folderId: folder.id,
        assigneeId: p.assigneeId,
        customerId: customer.id,
        lastActivityAt: now,
        pendingSince: sending ? now : null,
        createdAt: now,
      },
    })
    await recordHistory(tx, created.id, actor, 'created', now, { channel: 'agent', mode: p.mode, status: created.status })
    const emailMessageId = sending ? newMessageId(ctx.mail.mailDomain) : null
    const appended = await appendMessage(tx, {
      conversation: created,
      actor,
      kind: sending ? 'agent' : 'customer',
      body,
      files,
      at: now,
      authorAgentId: agent.id,
      customerId: sending ? null : customer.id,
      emailMessageId,
    })
    if (sending) {
      await enqueueAgentReply(tx, ctx.mail, {
        conversation: created,
        to: customer.email,
        message: { id: appended.message.id, bodyHtml: appended.message.bodyHtml, bodyText: appended.message.bodyText, emailMessageId: emailMessageId! },
        agentName: agent.name,
        signatureHtml: folder.signatureHtml,
        folderAddress: folder.inboundAddress,
        attachments: appended.attachments,
        isFirst: true,
      })
    }
    if (p.assigneeId !== null) {
      await recordHistory(tx, created.id, actor, 'assigned', now, { from: null, to: p.assigneeId })
      await notifyAssignment(tx, ctx, agent, appended.conversation, p.assigneeId, appended.message.bodyText)
    }
    return { conversation: appended.conversation, message: appended.message }
  })
  ctx.events.publish({ type: 'conversation.created', conversationId: result.conversation.id, folderId: result.conversation.folderId, messageCount: result.conversation.messageCount })
  return result
}
