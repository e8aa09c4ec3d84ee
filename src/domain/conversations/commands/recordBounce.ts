import type { DomainContext } from '../../context.ts'
import { lockConversation } from '../access.ts'
import { appendMessage } from '../appendMessage.ts'
import { recordHistory } from '../history.ts'
import { textToHtml, htmlToText } from '../../content/index.ts'

export interface BounceInput {
  conversationId: number | null
  /** The address that failed, if the report names it. */
  recipient: string | null
  status: string | null
  hard: boolean
  summary: string
  inboundId: number | null
  emailMessageId: string | null
}

/**
 * A delivery failure: a system message in the conversation it belongs to (no status change, no
 * e-mail in return) and, for a permanent failure, the customer's address marked undeliverable.
 */
export async function recordBounce(ctx: DomainContext, input: BounceInput) {
  const result = await ctx.prisma.$transaction(async (tx) => {
    const now = ctx.clock()
    let marked = false
    if (input.hard && input.recipient) {
      const updated = await tx.customer.updateMany({
        where: { email: input.recipient },
        data: { undeliverableAt: now, undeliverableReason: `${input.status ?? 'permanent failure'}: ${input.summary}`.slice(0, 500) },
      })
      marked = updated.count > 0
    }
    if (input.conversationId === null) return { conversation: null, marked }
    const conversation = await lockConversation(tx, { kind: 'system' }, input.conversationId)
    const html = textToHtml(input.summary)
    const { conversation: updated } = await appendMessage(tx, {
      conversation,
      actor: { kind: 'system' },
      kind: 'system',
      body: { html, text: htmlToText(html), inlineImages: [] },
      files: [],
      at: now,
      isAutoReply: true,
      inboundId: input.inboundId,
      emailMessageId: input.emailMessageId,
    })
    await recordHistory(tx, conversation.id, { kind: 'system' }, 'auto_reply_received', now, { bounce: true, recipient: input.recipient, status: input.status })
    return { conversation: updated, marked }
  })
  if (result.conversation) ctx.events.publish({ type: 'message.created', conversationId: result.conversation.id, folderId: result.conversation.folderId, messageCount: result.conversation.messageCount })
  return result
}
