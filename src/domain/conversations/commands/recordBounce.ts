import type { SYSTEM } from '../../actor.ts'
import { transaction } from '../../transaction.ts'
import type { DomainContext } from '../../context.ts'
import { lockConversation } from '../access.ts'
import { appendMessage } from '../appendMessage.ts'
import { recordConversationEvent } from '../history.ts'
import { textToHtml, htmlToText } from '../../content/index.ts'

export interface BounceInput {
  /** A delivery failure, or a feedback-loop report (someone marked our e-mail as spam). */
  kind?: 'bounce' | 'complaint'
  conversationId: number | null
  /** The address that failed (or complained), if the report names it. */
  recipient: string | null
  status: string | null
  hard: boolean
  /**
   * Mark the recipient's address (default: when `hard`). An inbound report marks it only when it
   * is about one of our own e-mails to that address; only the caller can tell.
   */
  markUndeliverable?: boolean
  summary: string
  inboundId: number | null
  emailMessageId: string | null
}

/**
 * A delivery failure or a spam complaint: a system message in the conversation it belongs to (no
 * status change, no e-mail in return) and, when the caller says so, the customer's address marked
 * undeliverable, which stops the automatic e-mails (reminders, closing notes, acknowledgements).
 */
/** `actor` is the help desk itself: a bounce has no author to trust. */
export async function recordBounce(ctx: DomainContext, actor: typeof SYSTEM, input: BounceInput) {
  const result = await transaction(ctx, async (tx) => {
    const now = ctx.clock()
    let marked = false
    if ((input.markUndeliverable ?? input.hard) && input.recipient) {
      const reason = input.kind === 'complaint' ? `complaint: ${input.summary}` : `${input.status ?? 'permanent failure'}: ${input.summary}`
      const updated = await tx.customer.updateMany({
        where: { email: input.recipient.toLowerCase() },
        data: { undeliverableAt: now, undeliverableReason: reason.slice(0, 500) },
      })
      marked = updated.count > 0
    }
    if (input.conversationId === null) return { conversation: null, marked }
    const conversation = await lockConversation(tx, actor, input.conversationId)
    const html = textToHtml(input.summary)
    const { conversation: updated } = await appendMessage(ctx, tx, {
      conversation,
      actor: actor,
      kind: 'system',
      body: { html, text: htmlToText(html), inlineImages: [] },
      files: [],
      at: now,
      isAutoReply: true,
      inboundId: input.inboundId,
      emailMessageId: input.emailMessageId,
    })
    await recordConversationEvent(ctx, tx, conversation, actor, 'auto_reply.received', now, {
      [input.kind ?? 'bounce']: true,
      recipient: input.recipient,
      status: input.status,
      messageCount: updated.messageCount,
    })
    return { conversation: updated, marked }
  })
  return result
}
