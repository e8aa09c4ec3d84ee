import type { CustomerActor } from '../../actor.ts'
import { transaction } from '../../transaction.ts'
import type { DomainContext } from '../../context.ts'
import { loadSettings } from '../../settings/settings.ts'
import { lockConversation } from '../access.ts'
import { recordConversationEvent } from '../history.ts'
import { reopensClosedConversation, statusFields, transition } from '../lifecycle.ts'
import { snoozeEndedBy, wakeOnCustomerAnswer } from '../snooze.ts'

export type CustomerAnswer = 'solved' | 'not-solved'

export type AnswerOutcome = 'closed' | 'already-closed' | 'reopened' | 'already-open' | 'too-late'

/**
 * The customer's one-click answer to a reminder (or the "it is resolved" button of the status
 * page). "Solved" closes; "still need help" opens it again for the agents, unless it was closed
 * longer ago than the reopen window, in which case the customer is asked to write anew.
 */
export async function recordCustomerAnswer(
  ctx: DomainContext,
  actor: CustomerActor,
  input: { conversationId: number; answer: CustomerAnswer },
): Promise<{ outcome: AnswerOutcome; number: number }> {
  const { conversationId, answer } = input
  const settings = await loadSettings(ctx.prisma)
  const result = await transaction(ctx, async (tx) => {
    const now = ctx.clock()
    const conversation = await lockConversation(tx, actor, conversationId)
    if (answer === 'not-solved' && conversation.status === 'closed' && !reopensClosedConversation(conversation.closedAt, now, settings.reopenWindowDays)) {
      return { outcome: 'too-late' as const, conversation }
    }
    const t = transition(conversation.status, answer === 'solved' ? 'customerResolved' : 'customerNotResolved')
    await recordConversationEvent(ctx, tx, conversation, actor, answer === 'solved' ? 'customer.resolved' : 'customer.not_resolved', now)
    // "Still need help" is the customer answering: a snooze until then ends.
    if (answer === 'not-solved') await wakeOnCustomerAnswer(ctx, tx, conversation, actor, now)
    if (!t.changed) return { outcome: answer === 'solved' ? ('already-closed' as const) : ('already-open' as const), conversation }
    const updated = await tx.conversation.update({
      where: { id: conversation.id },
      data: { ...statusFields(t, now, actor), ...snoozeEndedBy(t), lastActivityAt: now },
    })
    await recordConversationEvent(ctx, tx, conversation, actor, 'status.changed', now, { from: t.from, to: t.to })
    return { outcome: answer === 'solved' ? ('closed' as const) : ('reopened' as const), conversation: updated }
  })
  return { outcome: result.outcome, number: result.conversation.number }
}
