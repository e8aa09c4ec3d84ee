import { z } from 'zod'
import { asAgent, type Actor } from '../../actor.ts'
import type { DomainContext } from '../../context.ts'
import { parseInput } from '../../errors.ts'
import { changeConversation } from '../changeConversation.ts'
import { SET_BY_AGENT, statusFields, transition } from '../lifecycle.ts'
import { snoozeEndedBy } from '../snooze.ts'

export const setStatusSchema = z.object({
  conversationId: z.number().int().positive(),
  status: z.enum(['new', 'open', 'pending', 'closed']),
})

/** An agent sets any status by hand; the change is recorded with from and to. */
export async function setConversationStatus(ctx: DomainContext, agent: Actor, input: z.input<typeof setStatusSchema>) {
  const { conversationId, status } = parseInput(setStatusSchema, input)
  return changeConversation(ctx, asAgent(agent), conversationId, async ({ tx, conversation, actor, now, record }) => {
    const t = transition(conversation.status, SET_BY_AGENT[status])
    if (!t.changed) return conversation
    const updated = await tx.conversation.update({ where: { id: conversationId }, data: { ...statusFields(t, now, actor), ...snoozeEndedBy(t) } })
    await record('status.changed', { from: t.from, to: t.to })
    return updated
  })
}

export const closeConversation = (ctx: DomainContext, agent: Actor, input: { conversationId: number }) =>
  setConversationStatus(ctx, agent, { ...input, status: 'closed' })
export const reopenConversation = (ctx: DomainContext, agent: Actor, input: { conversationId: number }) =>
  setConversationStatus(ctx, agent, { ...input, status: 'open' })
