import type { Request } from 'express'
import type { ConversationPage } from '../../../domain/conversations/getConversation.ts'
import { ratingPart, type ConversationRating } from '../../../domain/ratings/ratingQueries.ts'
import { NOTHING, type Part } from '../../../domain/readTogether.ts'
import type { AppContext } from '../../context.ts'
import { shownTime } from '../../presenters/conversationRow.ts'

/** How many history events the page reads at most (getConversationPage): beyond that a rating may be out of sight. */
const PAGE_HISTORY_LIMIT = 200

/**
 * Whether the page needs the customer's rating: its history says whether there is one, so the many
 * conversations without a rating (every one where ratings are off) read nothing for it.
 */
export function ratingPartFor(page: ConversationPage): Part<ConversationRating | null> {
  const { id } = page.conversation
  const mayHaveOne = page.history.length >= PAGE_HISTORY_LIMIT || page.history.some((h) => h.type === 'rating.given' && h.conversationId === id)
  return mayHaveOne ? ratingPart(id) : NOTHING
}

/** The customer's rating and comment for the sidebar card (pageExtras' `rating`, read by views/partials/team/rating-sidebar.ejs). */
export function presentRatingExtras(ctx: AppContext, req: Request, rating: ConversationRating | null) {
  if (!rating) return null
  return {
    value: rating.value,
    label: req.t(`rating.value.${rating.value}`),
    confirmed: rating.confirmed,
    comment: rating.comment,
    at: shownTime(rating.updatedAt, ctx.clock(), req.formats),
  }
}
