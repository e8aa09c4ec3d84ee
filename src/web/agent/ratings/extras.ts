import type { Request } from 'express'
import type { ConversationPage } from '../../../domain/conversations/getConversation.ts'
import { findRating } from '../../../domain/ratings/ratingQueries.ts'
import type { AppContext } from '../../context.ts'
import { shownTime } from '../../presenters/conversationRow.ts'

/** How many history events the page reads at most (getConversationPage): beyond that a rating may be out of sight. */
const PAGE_HISTORY_LIMIT = 200

/**
 * The customer's rating and comment for the sidebar card (pageExtras' `rating`, read by
 * views/partials/team/rating-sidebar.ejs). The page's history says whether there is one, so the
 * many conversations without a rating (every one where ratings are off) cost no statement.
 */
export async function loadRatingExtras(ctx: AppContext, req: Request, page: ConversationPage) {
  const { id } = page.conversation
  const mayHaveOne = page.history.length >= PAGE_HISTORY_LIMIT || page.history.some((h) => h.type === 'rating.given' && h.conversationId === id)
  if (!mayHaveOne) return null
  const rating = await findRating(ctx.domain, id)
  if (!rating) return null
  return {
    value: rating.value,
    label: req.t(`rating.value.${rating.value}`),
    confirmed: rating.confirmed,
    comment: rating.comment,
    at: shownTime(rating.updatedAt, ctx.clock(), req.formats),
  }
}
