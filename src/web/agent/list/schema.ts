import { z } from 'zod'
import type { ListPosition } from '../../../domain/conversations/listConversations.ts'

const positionQuery = z.object({
  at: z
    .string()
    .regex(/^\d{1,15}_\d{1,10}$/)
    .optional()
    .catch(undefined),
})

/**
 * Where a conversation stood when its page was shown (`?at=<ms>_<id>`), for next and previous.
 * Only that conversation's own position is taken; anything else means "where it is now".
 */
export function positionParam(query: unknown, conversationId: number): ListPosition | null {
  const at = positionQuery.parse(query ?? {}).at
  if (!at) return null
  const [ms, id] = at.split('_').map(Number) as [number, number]
  return id === conversationId ? { lastActivityAt: new Date(ms), id } : null
}
