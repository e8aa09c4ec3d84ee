import type { Tx } from '../../db/database.ts'
import { Prisma as P } from '../../generated/prisma/client.ts'
import type { Conversation, ConversationStatus } from '../../generated/prisma/client.ts'
import type { ActorRef } from '../actor.ts'
import type { DomainContext } from '../context.ts'
import { recordConversationEvent } from './history.ts'
import type { Transition } from './lifecycle.ts'

/**
 * Snooze: a conversation hidden from every tab until a moment (`snoozedUntil`) or, with no moment,
 * until the customer answers. It is snoozed while `snoozedAt` is set; waking clears the three
 * columns. The wake-up job (src/domain/lifecycle/wakeSnoozed.ts) ends the timed ones.
 *
 * "Until the customer answers" is stored as a wake time beyond any real one (UNTIL_ANSWER) rather
 * than null: then the snoozedUntil index holds every snoozed conversation and only them, so the
 * Snoozed tab and the counts that leave snoozed conversations out read a few index entries instead
 * of a heap row per conversation. The wake-up job never reaches it; `wakeTime` reads it back as null.
 */

/** The wake time of a snooze that lasts until the customer answers. */
export const UNTIL_ANSWER = new Date('9999-12-31T00:00:00.000Z')

/** A stored wake time as the domain speaks of it: null for "until the customer answers". */
export const wakeTime = (snoozedUntil: Date | null): Date | null =>
  snoozedUntil === null || snoozedUntil.getTime() >= UNTIL_ANSWER.getTime() ? null : snoozedUntil

/** Why a snooze ended, as `conversation.woke` records it. */
export type WakeReason = 'time' | 'customer' | 'agent'

/** The columns that end a snooze. */
export const SNOOZE_CLEARED = { snoozedAt: null, snoozedUntil: null, snoozedById: null } as const

/** The same, as assignments of an `UPDATE conversations SET …` (the sweep's set-based close). */
export const SNOOZE_CLEARED_SQL = P.sql`"snoozedAt" = NULL, "snoozedUntil" = NULL, "snoozedById" = NULL`

export const isSnoozed = (c: Pick<Conversation, 'snoozedAt'>) => c.snoozedAt !== null

/** A closed conversation is not snoozed: a transition that closes one ends its snooze too. */
export function snoozeEndedBy(t: Transition): Partial<typeof SNOOZE_CLEARED> {
  return t.changed && t.to === 'closed' ? SNOOZE_CLEARED : {}
}

/**
 * The customer answered a snoozed conversation: its snooze ends in the transaction of the answer,
 * recorded as theirs. The assignee is named in the event, for their notification. Null when the
 * conversation was not snoozed.
 */
export async function wakeOnCustomerAnswer(
  ctx: Pick<DomainContext, 'reactions'>,
  tx: Tx,
  conversation: Pick<Conversation, 'id' | 'folderId' | 'assigneeId' | 'snoozedAt'>,
  actor: ActorRef,
  now: Date,
): Promise<Conversation | null> {
  if (!isSnoozed(conversation)) return null
  const updated = await tx.conversation.update({ where: { id: conversation.id }, data: SNOOZE_CLEARED })
  await recordConversationEvent(ctx, tx, updated, actor, 'conversation.woke', now, { reason: 'customer', assigneeId: updated.assigneeId })
  return updated
}

/** A conversation's snooze as the page shows it: "until the customer answers" reads as null. */
export function snoozeOf(c: { status: ConversationStatus; snoozedAt: Date | null; snoozedUntil: Date | null }) {
  return { status: c.status, snoozedAt: c.snoozedAt, snoozedUntil: wakeTime(c.snoozedUntil) }
}
