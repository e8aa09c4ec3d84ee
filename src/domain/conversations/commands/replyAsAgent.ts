import { z } from 'zod'
import type { Actor } from '../../actor.ts'
import { asAgent } from '../../actor.ts'
import type { DomainContext } from '../../context.ts'
import { fromZodError, ValidationError, ConflictError } from '../../errors.ts'
import { loadSettings } from '../../settings/settings.ts'
import { newMessageId } from '../../../mail/outbound/outbox.ts'
import { enqueueAgentReply } from '../../../mail/outbound/conversationEmails.ts'
import { lockConversation } from '../access.ts'
import { appendMessage } from '../appendMessage.ts'
import { recordHistory } from '../history.ts'
import { statusFields, transition, manualTransition } from '../lifecycle.ts'
import { assertFileSizes, hasContent, prepareBody, type UploadedFile } from '../messageBody.ts'

export const replySchema = z.object({
  conversationId: z.number().int().positive(),
  html: z.string().max(40_000_000).optional(),
  text: z.string().max(1_000_000).optional(),
  /** A status to set once the reply is sent (close it, say); default: what the reply leads to. */
  statusAfter: z.enum(['pending', 'open', 'closed']).optional(),
  /** The thread version the agent wrote against; a newer message makes the send ask first. */
  seenMessageCount: z.number().int().min(0).optional(),
})
export type ReplyInput = z.input<typeof replySchema> & { files?: UploadedFile[] }

/** Raised when messages arrived after the agent's page was loaded: show them, then confirm. */
export class ThreadChangedError extends ConflictError {
  override name = 'ThreadChangedError'
  constructor(readonly messageCount: number) {
    super('New messages arrived while you were writing. Read them, then send again to confirm.')
  }
}

/** An agent's public reply: stored, e-mailed to the customer through the outbox, status pending. */
export async function replyAsAgent(ctx: DomainContext, agent: Actor, input: ReplyInput) {
  const parsed = replySchema.safeParse(input)
  if (!parsed.success) throw fromZodError(parsed.error)
  const p = parsed.data
  const files = input.files ?? []
  const settings = await loadSettings(ctx.prisma)
  assertFileSizes(files, settings.attachmentMaxBytes)
  const body = await prepareBody({ html: p.html, text: p.text }, settings.attachmentMaxBytes)
  if (!hasContent(body) && files.length === 0) throw new ValidationError('Write a reply first', { body: 'Write a reply first.' })
  const actor = asAgent(agent)

  const result = await ctx.prisma.$transaction(async (tx) => {
    const now = ctx.clock()
    const conversation = await lockConversation(tx, actor, p.conversationId)
    // A confirmation covers only the messages the agent was shown: a newer one asks again.
    if (p.seenMessageCount !== undefined && conversation.messageCount > p.seenMessageCount) {
      throw new ThreadChangedError(conversation.messageCount)
    }
    const customer = await tx.customer.findUniqueOrThrow({ where: { id: conversation.customerId } })
    const folder = await tx.folder.findUniqueOrThrow({ where: { id: conversation.folderId } })
    const emailMessageId = newMessageId(ctx.mail.mailDomain)
    const appended = await appendMessage(tx, { conversation, actor, kind: 'agent', body, files, at: now, authorAgentId: agent.id, emailMessageId })
    const isFirst = conversation.lastAgentReplyAt === null && conversation.lastCustomerMessageAt === null
    await enqueueAgentReply(tx, ctx.mail, {
      conversation,
      to: customer.email,
      message: { id: appended.message.id, bodyHtml: appended.message.bodyHtml, bodyText: appended.message.bodyText, emailMessageId },
      agentName: agent.name,
      signatureHtml: folder.signatureHtml,
      folderAddress: folder.inboundAddress,
      attachments: appended.attachments,
      isFirst,
    })
    await recordHistory(tx, conversation.id, actor, 'replied', now, { messageId: appended.message.id })

    let t = transition(conversation.status, 'agentReply')
    let fields = statusFields(t, now, { kind: 'agent', agentId: agent.id }, 'agentReply')
    if (p.statusAfter && p.statusAfter !== t.to) {
      t = manualTransition(conversation.status, p.statusAfter)
      fields = statusFields(t, now, { kind: 'agent', agentId: agent.id }, 'manual')
    }
    const updated = await tx.conversation.update({ where: { id: conversation.id }, data: fields })
    if (t.changed) await recordHistory(tx, conversation.id, actor, 'status_changed', now, { from: t.from, to: t.to })
    return { conversation: updated, message: appended.message }
  })
  ctx.events.publish({ type: 'message.created', conversationId: result.conversation.id, folderId: result.conversation.folderId, messageCount: result.conversation.messageCount })
  return result
}
