import { Prisma as P } from '../../generated/prisma/client.ts'
import type { QueryContext } from '../context.ts'
import { jsonValue, readPart, type Part } from '../readTogether.ts'
import type { RatingValue } from './recordRating.ts'

export interface ConversationRating {
  value: RatingValue
  confirmed: boolean
  comment: string
  updatedAt: Date
}

/** The customer's rating of a conversation, if they gave one. */
export async function findRating(ctx: QueryContext, conversationId: number): Promise<ConversationRating | null> {
  return readPart(ctx.prisma, ratingPart(conversationId))
}

/** The same, as a part of a page's one statement (src/domain/readTogether.ts). */
export function ratingPart(conversationId: number): Part<ConversationRating | null> {
  return {
    sql: P.sql`(SELECT json_build_object('value', r.value, 'confirmed', r.confirmed, 'comment', r.comment, 'updatedAt', r."updatedAt")
                FROM ratings r WHERE r."conversationId" = ${conversationId})`,
    read: (value) => {
      if (value === null || value === undefined) return null
      const r = jsonValue<Omit<ConversationRating, 'updatedAt'> & { updatedAt: string }>(value)
      return { ...r, updatedAt: new Date(r.updatedAt) }
    },
  }
}
