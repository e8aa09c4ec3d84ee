import type { QueryContext } from '../context.ts'
import type { RatingValue } from './recordRating.ts'

export interface ConversationRating {
  value: RatingValue
  confirmed: boolean
  comment: string
  updatedAt: Date
}

/** The customer's rating of a conversation, if they gave one. */
export async function findRating(ctx: QueryContext, conversationId: number): Promise<ConversationRating | null> {
  return ctx.prisma.rating.findUnique({ where: { conversationId }, select: { value: true, confirmed: true, comment: true, updatedAt: true } })
}
