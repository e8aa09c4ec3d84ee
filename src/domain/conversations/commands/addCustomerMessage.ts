import { SYSTEM, type CustomerActor } from '../../actor.ts'
import { transaction } from '../../transaction.ts'
import type { DomainContext } from '../../context.ts'
import { loadSettings } from '../../settings/settings.ts'
import { lockConversation } from '../access.ts'
import { appendMessage } from '../appendMessage.ts'
import { joinCustomerCopies } from '../copies.ts'
import { recordConversationEvent } from '../history.ts'
import { initialStatusFields, reopensClosedConversation, statusFields, transition } from '../lifecycle.ts'
import { wakeOnCustomerAnswer } from '../snooze.ts'
import { readCustomerMessage, transactionOptionsFor, type InlineImage, type UploadedFile } from '../messageBody.ts'

export interface CustomerMessageInput {
  conversationId: number
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
  /** Whom the e-mail was copied to (the help desk's own addresses left out): they join the conversation's Cc. */
  cc?: string[]
}

/**
 * A message from the customer (e-mail, status page). On a conversation closed longer than the
 * reopen window it starts a new conversation that links the old one; the result says which.
 */
export async function addCustomerMessage(ctx: DomainContext, actor: CustomerActor, input: CustomerMessageInput) {
  const files = input.files ?? []
  const [settings, body] = await Promise.all([loadSettings(ctx.prisma), readCustomerMessage(ctx, input, files)])

  const result = await transaction(
    ctx,
    async (tx) => {
      const now = ctx.clock()
      let conversation = await lockConversation(tx, actor, input.conversationId)
      let followUpOf: number | null = null
      if (!input.isAutoReply && conversation.status === 'closed' && !reopensClosedConversation(conversation.closedAt, now, settings.reopenWindowDays)) {
        const old = conversation
        conversation = await tx.conversation.create({
          data: {
            subject: old.subject,
            channel: old.channel,
            folderId: old.folderId,
            assigneeId: old.assigneeId,
            customerId: old.customerId,
            previousConversationId: old.id,
            ...initialStatusFields(now, actor),
            lastActivityAt: now,
            createdAt: now,
          },
        })
        await recordConversationEvent(ctx, tx, conversation, actor, 'conversation.created', now, { channel: old.channel, followUpOf: old.number })
        await recordConversationEvent(ctx, tx, old, actor, 'follow_up.created', now, { number: conversation.number })
        followUpOf = old.id
      }
      const appended = await appendMessage(ctx, tx, {
        conversation,
        actor,
        // Out-of-office and other automatic mail is kept as a system message of the thread.
        kind: input.isAutoReply ? 'system' : 'customer',
        body,
        files,
        at: now,
        customerId: actor.customerId,
        emailMessageId: input.emailMessageId ?? null,
        inReplyTo: input.inReplyTo ?? null,
        isAutoReply: input.isAutoReply ?? false,
        inboundId: input.inboundId ?? null,
        cc: input.cc ?? [],
      })
      // The help desk keeps the copies (an automatic reply's are not the customer's choice).
      const target = conversation
      let updated = input.isAutoReply
        ? appended.conversation
        : await joinCustomerCopies(tx, (type, data) => recordConversationEvent(ctx, tx, target, SYSTEM, type, now, data), appended.conversation, input.cc ?? [])
      await recordConversationEvent(ctx, tx, conversation, actor, input.isAutoReply ? 'auto_reply.received' : 'message.received', now, {
        messageId: appended.message.id,
        messageCount: appended.conversation.messageCount,
      })
      if (!input.isAutoReply) {
        // A snooze "until the customer answers" (or until a moment not yet come) ends with their message.
        updated = (await wakeOnCustomerAnswer(ctx, tx, updated, actor, now)) ?? updated
        const t = transition(conversation.status, 'customerMessage')
        if (t.changed) {
          updated = await tx.conversation.update({ where: { id: conversation.id }, data: statusFields(t, now, actor) })
          await recordConversationEvent(ctx, tx, conversation, actor, 'status.changed', now, { from: t.from, to: t.to })
        }
      }
      return { conversation: updated, message: appended.message, followUpOf }
    },
    transactionOptionsFor([...files, ...body.inlineImages]),
  )
  return result
}
