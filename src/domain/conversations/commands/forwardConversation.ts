import { z } from 'zod'
import { asAgent, type Actor } from '../../actor.ts'
import type { DomainContext } from '../../context.ts'
import { NotFoundError, parseInput, ValidationError } from '../../errors.ts'
import { afterCommitWanted } from '../../transaction.ts'
import { schemaMessage } from '../../../i18n/issueMessages.ts'
import { enqueueForward } from '../../../mail/outbound/forwardEmail.ts'
import { RENDER_EMAILS } from '../../../mail/outbound/renderOutbox.ts'
import { changeConversation } from '../changeConversation.ts'
import { addressList } from '../copies.ts'

export const forwardSchema = z.object({
  conversationId: z.number().int().positive(),
  /** One message of the thread; unset: the whole conversation. */
  messageId: z.number().int().positive().optional(),
  to: addressList.pipe(z.array(z.string()).min(1, schemaMessage('validation.copies.forwardTo'))),
  note: z.string().max(20_000).optional(),
})
export type ForwardInput = z.input<typeof forwardSchema>

/**
 * An agent forwards a conversation (its public messages) or one of its messages to any
 * addresses, with a note: one e-mail through the outbox. Internal comments and system messages
 * are never forwarded; the history says who forwarded what to whom.
 */
export async function forwardConversation(ctx: DomainContext, agent: Actor, input: ForwardInput) {
  const p = parseInput(forwardSchema, input)
  return changeConversation(ctx, asAgent(agent), p.conversationId, async ({ tx, conversation, record }) => {
    const messages = await tx.message.findMany({
      where: { conversationId: conversation.id, kind: { in: ['customer', 'agent'] }, ...(p.messageId ? { id: p.messageId } : {}) },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      select: { id: true },
    })
    if (p.messageId && messages.length === 0) throw new NotFoundError('copies.forward.messageNotFound')
    if (messages.length === 0) throw new ValidationError('copies.forward.nothingToForward')
    const { locale, timeZone } = await tx.agent.findUniqueOrThrow({ where: { id: agent.id }, select: { locale: true, timeZone: true } })
    afterCommitWanted(RENDER_EMAILS)

    const email = await enqueueForward(tx, ctx.mail, {
      conversation,
      to: p.to,
      note: p.note?.trim() ?? '',
      messageIds: messages.map((m) => m.id),
      agent: { name: agent.name, email: agent.email },
      language: { locale, timeZone },
    })
    await record('conversation.forwarded', { to: p.to, messageId: p.messageId ?? null })
    return { conversation, email }
  })
}
