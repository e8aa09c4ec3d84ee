import { z } from 'zod'
import { statusPageUrl } from '../../mail/customerLinks.ts'
import { asAgent, type Actor } from '../actor.ts'
import type { DomainContext } from '../context.ts'
import { sanitizeMessageHtml } from '../content/index.ts'
import { NotFoundError } from '../errors.ts'
import { rowId } from '../input.ts'
import { changeConversation } from '../conversations/changeConversation.ts'
import { fillVariables } from './variables.ts'

const useSchema = z.object({ conversationId: rowId, savedReplyId: rowId })

/**
 * Inserting a saved reply into a conversation's editor: its text with the variables filled in
 * for that conversation. The use is counted (for reports) and written in the conversation's
 * history, in the transaction that checks the agent may act on the conversation. A reply of
 * another folder is "not found": it is not offered there either.
 */
export async function useSavedReply(
  ctx: DomainContext,
  agent: Actor,
  input: { conversationId: unknown; savedReplyId: unknown },
): Promise<{ html: string; name: string }> {
  // Ids come from a URL and a form: a malformed one names nothing, like a missing row.
  const parsed = useSchema.safeParse(input)
  if (!parsed.success) throw new NotFoundError('error.savedReplyNotFound')
  const { conversationId, savedReplyId } = parsed.data
  return changeConversation(ctx, asAgent(agent), conversationId, async ({ tx, conversation, now, record }) => {
    const reply = await tx.savedReply.findUnique({ where: { id: savedReplyId }, select: { id: true, name: true, folderId: true, bodyHtml: true } })
    if (!reply || (reply.folderId !== null && reply.folderId !== conversation.folderId)) throw new NotFoundError('error.savedReplyNotFound')
    const customer = await tx.customer.findUniqueOrThrow({ where: { id: conversation.customerId }, select: { name: true } })
    await tx.savedReply.update({ where: { id: reply.id }, data: { useCount: { increment: 1 }, lastUsedAt: now } })
    await record('saved_reply.used', { savedReplyId: reply.id })
    const html = fillVariables(reply.bodyHtml, {
      customerName: customer.name,
      agentName: agent.name,
      conversationNumber: conversation.number,
      statusUrl: statusPageUrl(ctx.mail, conversation.id),
    })
    return { html: sanitizeMessageHtml(html), name: reply.name }
  })
}
