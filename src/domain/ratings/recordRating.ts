import type { CustomerActor } from '../actor.ts'
import type { DomainContext } from '../context.ts'
import { lockConversation } from '../conversations/access.ts'
import { recordConversationEvent } from '../conversations/history.ts'
import { ValidationError } from '../errors.ts'
import { authorize } from '../policy.ts'
import { transaction } from '../transaction.ts'

export const RATING_VALUES = ['great', 'okay', 'bad'] as const
export type RatingValue = (typeof RATING_VALUES)[number]

export const isRatingValue = (v: unknown): v is RatingValue => (RATING_VALUES as readonly unknown[]).includes(v)

/** A comment is a few sentences, not a new request (those go through the status page). */
export const RATING_COMMENT_MAX = 2000

export interface RatingInput {
  conversationId: number
  value: RatingValue
  /**
   * False for the link's GET (a mail scanner may make it), true once the customer's browser or
   * form confirmed it. Only confirmed ratings count in reports.
   */
  confirmed: boolean
  /** Undefined leaves the comment as it is; '' clears it. */
  comment?: string
}

export interface RatingResult {
  value: RatingValue
  confirmed: boolean
  comment: string
  /** Whether this call changed anything (and so recorded an event). */
  changed: boolean
}

/**
 * A customer rates a conversation (great / okay / not good) and may add or change a comment. One
 * rating per conversation: the latest confirmed click wins. A provisional rating (the link opened)
 * never replaces a confirmed one with another value, so a scanner fetching the link again cannot
 * change what the customer chose; a confirmed one replaces anything. Each change of the value is a
 * `rating.given` event and each change of the comment a `rating.commented`; clicking again what is
 * already recorded records nothing.
 */
export async function recordRating(ctx: DomainContext, customer: CustomerActor, input: RatingInput): Promise<RatingResult> {
  const comment = input.comment === undefined ? undefined : input.comment.replace(/\r\n?/g, '\n').trim()
  if (comment !== undefined && comment.length > RATING_COMMENT_MAX)
    throw new ValidationError(
      'rating.commentTooLong',
      { comment: { key: 'rating.commentTooLong', values: { max: RATING_COMMENT_MAX } } },
      { max: RATING_COMMENT_MAX },
    )
  return transaction(ctx, async (tx) => {
    const now = ctx.clock()
    const conversation = await lockConversation(tx, customer, input.conversationId)
    // Anyone holding the thread may write in, but only the conversation's own customer rates it.
    authorize(customer, 'read', { type: 'conversation', folderId: conversation.folderId, customerId: conversation.customerId })
    const existing = await tx.rating.findUnique({ where: { conversationId: conversation.id } })
    const keepsConfirmed = existing?.confirmed === true && !input.confirmed
    const valueChanges = !keepsConfirmed && (!existing || existing.value !== input.value || (input.confirmed && !existing.confirmed))
    const commentChanges = comment !== undefined && comment !== (existing?.comment ?? '')
    if (!valueChanges && !commentChanges) {
      return { value: existing?.value ?? input.value, confirmed: existing?.confirmed ?? false, comment: existing?.comment ?? '', changed: false }
    }
    const value = valueChanges ? input.value : existing!.value
    const confirmed = valueChanges ? input.confirmed : existing!.confirmed
    const saved = await tx.rating.upsert({
      where: { conversationId: conversation.id },
      create: { conversationId: conversation.id, customerId: customer.customerId, value, confirmed, comment: comment ?? '', createdAt: now, updatedAt: now },
      update: { value, confirmed, customerId: customer.customerId, updatedAt: now, ...(comment !== undefined ? { comment } : {}) },
    })
    if (valueChanges)
      await recordConversationEvent(ctx, tx, conversation, customer, 'rating.given', now, { value, confirmed, previous: existing?.value ?? null })
    if (commentChanges) await recordConversationEvent(ctx, tx, conversation, customer, 'rating.commented', now, { comment: saved.comment })
    return { value: saved.value, confirmed: saved.confirmed, comment: saved.comment, changed: true }
  })
}
