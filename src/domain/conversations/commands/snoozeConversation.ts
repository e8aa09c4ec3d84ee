import { z } from 'zod'
import { asAgent, type Actor } from '../../actor.ts'
import type { DomainContext } from '../../context.ts'
import { parseInput, ValidationError } from '../../errors.ts'
import { changeConversation } from '../changeConversation.ts'
import { isSnoozed, SNOOZE_CLEARED, UNTIL_ANSWER } from '../snooze.ts'

export const snoozeSchema = z.object({
  conversationId: z.number().int().positive(),
  /** When it comes back; null: when the customer answers. */
  until: z.date().nullable(),
})

export const wakeSchema = z.object({
  conversationId: z.number().int().positive(),
  reason: z.literal('agent'),
})

/** The latest moment a snooze may last until: a year from now (further is a forgotten conversation, not a plan). */
export function latestSnooze(now: Date): Date {
  const latest = new Date(now)
  latest.setUTCFullYear(latest.getUTCFullYear() + 1)
  return latest
}

/**
 * Hides a conversation from every tab until a moment (the wake-up job brings it back to the top
 * of its tab) or until the customer answers. Snoozing a snoozed conversation moves its moment.
 */
export async function snoozeConversation(ctx: DomainContext, agent: Actor, input: z.input<typeof snoozeSchema>) {
  const { conversationId, until } = parseInput(snoozeSchema, input)
  return changeConversation(ctx, asAgent(agent), conversationId, async ({ tx, conversation, now, record }) => {
    if (conversation.status === 'closed') throw new ValidationError('error.snooze.closed')
    if (until && until.getTime() <= now.getTime()) throw new ValidationError('error.snooze.past', { until: { key: 'error.snooze.past' } })
    if (until && until.getTime() > latestSnooze(now).getTime()) throw new ValidationError('error.snooze.tooFar', { until: { key: 'error.snooze.tooFar' } })
    const updated = await tx.conversation.update({
      where: { id: conversationId },
      data: { snoozedAt: now, snoozedUntil: until ?? UNTIL_ANSWER, snoozedById: agent.id },
    })
    await record('conversation.snoozed', { until: until ? until.toISOString() : null })
    return updated
  })
}

/** Ends a snooze by hand: the conversation is back in its tab, where it was (its last activity unchanged). */
export async function wakeConversation(ctx: DomainContext, agent: Actor, input: z.input<typeof wakeSchema>) {
  const { conversationId, reason } = parseInput(wakeSchema, input)
  return changeConversation(ctx, asAgent(agent), conversationId, async ({ tx, conversation, record }) => {
    if (!isSnoozed(conversation)) return conversation
    const updated = await tx.conversation.update({ where: { id: conversationId }, data: SNOOZE_CLEARED })
    await record('conversation.woke', { reason, assigneeId: conversation.assigneeId })
    return updated
  })
}
