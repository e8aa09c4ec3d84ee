import { transaction } from '../../transaction.ts'
import { z } from 'zod'
import type { Actor } from '../../actor.ts'
import { asAgent } from '../../actor.ts'
import type { DomainContext } from '../../context.ts'
import { fromZodError } from '../../errors.ts'
import { lockConversation } from '../access.ts'
import { recordConversationEvent } from '../history.ts'
import { SET_BY_AGENT, statusFields, transition } from '../lifecycle.ts'

export const setStatusSchema = z.object({
  conversationId: z.number().int().positive(),
  status: z.enum(['new', 'open', 'pending', 'closed']),
})

/** An agent sets any status by hand; the change is recorded with from and to. */
export async function setConversationStatus(ctx: DomainContext, agent: Actor, input: z.input<typeof setStatusSchema>) {
  const parsed = setStatusSchema.safeParse(input)
  if (!parsed.success) throw fromZodError(parsed.error)
  const { conversationId, status } = parsed.data
  const actor = asAgent(agent)
  const result = await transaction(ctx, async (tx) => {
    const now = ctx.clock()
    const conversation = await lockConversation(tx, actor, conversationId)
    const t = transition(conversation.status, SET_BY_AGENT[status])
    if (!t.changed) return { conversation, changed: false }
    const updated = await tx.conversation.update({ where: { id: conversationId }, data: statusFields(t, now, actor) })
    await recordConversationEvent(ctx, tx, updated, actor, 'status.changed', now, { from: t.from, to: t.to })
    return { conversation: updated, changed: true }
  })
  return result.conversation
}

export const closeConversation = (ctx: DomainContext, agent: Actor, conversationId: number) => setConversationStatus(ctx, agent, { conversationId, status: 'closed' })
export const reopenConversation = (ctx: DomainContext, agent: Actor, conversationId: number) => setConversationStatus(ctx, agent, { conversationId, status: 'open' })
