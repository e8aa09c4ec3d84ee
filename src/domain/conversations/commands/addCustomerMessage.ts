import type { Conversation } from '../../../generated/prisma/client.ts'
import type { DomainContext } from '../../context.ts'
import type { Tx } from '../../../db/database.ts'
import { ValidationError } from '../../errors.ts'
import { loadSettings } from '../../settings/settings.ts'
import { enqueueAgentNotification } from '../../../mail/outbound/conversationEmails.ts'
import { canWorkInFolder, lockConversation } from '../access.ts'
import { appendMessage } from '../appendMessage.ts'
import { recordHistory } from '../history.ts'
import { reopensClosedConversation, statusFields, transition } from '../lifecycle.ts'
import { assertFileSizes, prepareBody, transactionOptionsFor, withFoldedQuotes, type InlineImage, type UploadedFile } from '../messageBody.ts'

export interface CustomerMessageInput {
  conversationId: number
  customerId: number
  html?: string
  text?: string
  files?: UploadedFile[]
  /** Images an e-mail carried as cid: parts, already referenced from the HTML. */
  inlineImages?: InlineImage[]
  emailMessageId?: string | null
  inReplyTo?: string | null
  /** Out-of-office, bounces and other automatic mail: kept in the thread, no status change. */
  isAutoReply?: boolean
  inboundId?: number | null
}

/** Whom to tell that the customer answered: the assignee, if they asked for it. */
async function notifyAssignee(tx: Tx, ctx: DomainContext, conversation: Conversation, excerpt: string) {
  if (!conversation.assigneeId) return
  const assignee = await tx.agent.findUnique({ where: { id: conversation.assigneeId } })
  if (!assignee?.active || !assignee.notifyOnCustomerReply) return
  // The customer's words go only to someone who may read this folder now.
  if (!(await canWorkInFolder(tx, assignee.id, conversation.folderId))) return
  await enqueueAgentNotification(tx, ctx.mail, { conversation, to: assignee.email, agentName: assignee.name, headline: 'The customer replied', excerpt })
}

/**
 * A message from the customer (e-mail, status page). On a conversation closed longer than the
 * reopen window it starts a new conversation that links the old one; the result says which.
 */
export async function addCustomerMessage(ctx: DomainContext, input: CustomerMessageInput) {
  const files = input.files ?? []
  const settings = await loadSettings(ctx.prisma)
  assertFileSizes(files, settings.attachmentMaxBytes)
  const prepared = await prepareBody({ html: input.html, text: input.text }, settings.attachmentMaxBytes)
  const body = withFoldedQuotes({ ...prepared, inlineImages: [...prepared.inlineImages, ...(input.inlineImages ?? [])] })
  if (!body.text.trim() && files.length === 0 && body.inlineImages.length === 0) throw new ValidationError('The message is empty', { body: 'Write a message first.' })
  const actor = { kind: 'customer' as const, customerId: input.customerId }

  const result = await ctx.prisma.$transaction(async (tx) => {
    const now = ctx.clock()
    let conversation = await lockConversation(tx, actor, input.conversationId)
    let followUpOf: number | null = null
    if (!input.isAutoReply && conversation.status === 'closed' && !reopensClosedConversation(conversation.closedAt, now, settings.reopenWindowDays)) {
      const old = conversation
      conversation = await tx.conversation.create({
        data: { subject: old.subject, channel: old.channel, folderId: old.folderId, assigneeId: old.assigneeId, customerId: old.customerId, previousConversationId: old.id, status: 'new', lastActivityAt: now, createdAt: now },
      })
      await recordHistory(tx, conversation.id, actor, 'created', now, { channel: old.channel, followUpOf: old.number })
      await recordHistory(tx, old.id, actor, 'follow_up_created', now, { number: conversation.number })
      followUpOf = old.id
    }
    const appended = await appendMessage(tx, {
      conversation,
      actor,
      // Out-of-office and other automatic mail is kept as a system message of the thread.
      kind: input.isAutoReply ? 'system' : 'customer',
      body,
      files,
      at: now,
      customerId: input.customerId,
      emailMessageId: input.emailMessageId ?? null,
      inReplyTo: input.inReplyTo ?? null,
      isAutoReply: input.isAutoReply ?? false,
      inboundId: input.inboundId ?? null,
    })
    await recordHistory(tx, conversation.id, actor, input.isAutoReply ? 'auto_reply_received' : 'customer_replied', now, { messageId: appended.message.id })
    let updated = appended.conversation
    if (!input.isAutoReply) {
      const t = transition(conversation.status, 'customerMessage')
      if (t.changed) {
        updated = await tx.conversation.update({ where: { id: conversation.id }, data: statusFields(t, now, actor, 'customerMessage') })
        await recordHistory(tx, conversation.id, actor, 'status_changed', now, { from: t.from, to: t.to })
      }
      await notifyAssignee(tx, ctx, updated, appended.message.bodyText.slice(0, 500))
    }
    return { conversation: updated, message: appended.message, followUpOf }
  }, transactionOptionsFor([...files, ...body.inlineImages]))
  ctx.events.publish({ type: followUpOf(result) ? 'conversation.created' : 'message.created', conversationId: result.conversation.id, folderId: result.conversation.folderId, messageCount: result.conversation.messageCount })
  return result
}

const followUpOf = (r: { followUpOf: number | null }) => r.followUpOf !== null
