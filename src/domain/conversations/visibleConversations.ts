import type { Actor } from '../actor.ts'
import type { QueryContext } from '../context.ts'
import { conversationScopeWhere, folderScope } from '../policy.ts'

/**
 * The ids among `ids` of conversations the agent may see, for bulk actions: ids they cannot see
 * are dropped exactly like ids that do not exist.
 */
export async function visibleConversationIds(ctx: QueryContext, agent: Actor, ids: readonly number[]): Promise<number[]> {
  const scope = await folderScope(ctx.prisma, agent)
  const rows = await ctx.prisma.conversation.findMany({ where: { id: { in: [...ids] }, ...conversationScopeWhere(scope) }, select: { id: true } })
  return rows.map((r) => r.id)
}
