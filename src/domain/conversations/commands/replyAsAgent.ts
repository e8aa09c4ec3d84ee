import { transaction } from '../../transaction.ts'
import { z } from 'zod'
import type { Actor } from '../../actor.ts'
import { asAgent } from '../../actor.ts'
import type { DomainContext } from '../../context.ts'
import { fromZodError, ValidationError, ConflictError } from '../../errors.ts'
import { loadSettings } from '../../settings/settings.ts'
import { newMessageId } from '../../../mail/messageIds.ts'
import { lockConversation } from '../access.ts'
import { appendMessage } from '../appendMessage.ts'
import { recordConversationEvent } from '../history.ts'
import { SET_BY_AGENT, statusFields, transition } from '../lifecycle.ts'
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

  const result = await transaction(ctx, async (tx) => {
    const now = ctx.clock()
    const conversation = await lockConversation(tx, actor, p.conversationId)
    // A confirmation covers only the messages the agent was shown: a newer one asks again.
    if (p.seenMessageCount !== undefined && conversation.messageCount > p.seenMessageCount) {
      throw new ThreadChangedError(conversation.messageCount)
    }
    const emailMessageId = newMessageId(ctx.mail.mailDomain)
    const appended = await appendMessage(ctx, tx, { conversation, actor, kind: 'agent', body, files, at: now, authorAgentId: agent.id, emailMessageId })
    await recordConversationEvent(ctx, tx, conversation, actor, 'reply.sent', now, { messageId: appended.message.id, messageCount: appended.conversation.messageCount })

    let t = transition(conversation.status, 'agentReply')
    // A status chosen with the reply is set by hand from where the conversation was.
    if (p.statusAfter && p.statusAfter !== t.to) t = transition(conversation.status, SET_BY_AGENT[p.statusAfter])
    const updated = await tx.conversation.update({ where: { id: conversation.id }, data: statusFields(t, now, actor) })
    if (t.changed) await recordConversationEvent(ctx, tx, conversation, actor, 'status.changed', now, { from: t.from, to: t.to })
    return { conversation: updated, message: appended.message }
  })
  return result
}
