import { Prisma as P } from '../../generated/prisma/client.ts'
import type { Actor } from '../actor.ts'
import type { QueryContext } from '../context.ts'
import { folderScope, scopeSql } from '../policy.ts'
import { COUNT_CAP } from '../conversations/listConversations.ts'

export interface FolderWorkload {
  id: number
  name: string
  /** New and open conversations: the work waiting for the team (pending waits for the customer; snoozed ones wait for their time). */
  toHandle: number
  /** True when counting stopped at COUNT_CAP ("1,000+"). */
  atLeast: boolean
}

/**
 * The folders an agent may see, in list order, each with its conversations waiting for the team.
 * One statement; each count is an index walk of (folderId, status) stopped after COUNT_CAP rows, so
 * a folder of a million conversations costs what a folder of a thousand does. Snoozed conversations
 * are counted apart through the snoozedUntil index, which holds only them, and taken out.
 */
export async function folderWorkloads(ctx: QueryContext, agent: Actor): Promise<FolderWorkload[]> {
  const scope = await folderScope(ctx.prisma, agent)
  const rows = await ctx.prisma.$queryRaw<{ id: number; name: string; n: number; snoozed: number }[]>`
    SELECT f.id, f.name,
           (SELECT count(*)::int FROM (SELECT 1 FROM conversations c WHERE c."folderId" = f.id AND c.status IN ('new', 'open')
                                       LIMIT ${P.raw(String(COUNT_CAP + 1))}) s) AS n,
           (SELECT count(*)::int FROM conversations c WHERE c."snoozedUntil" IS NOT NULL AND c."folderId" = f.id AND c.status IN ('new', 'open')) AS snoozed
    FROM folders f WHERE ${scopeSql(P.sql`f.id`, scope)}
    ORDER BY f.position, f.name, f.id`
  return rows.map((r) => ({ id: r.id, name: r.name, toHandle: r.n > COUNT_CAP ? COUNT_CAP : r.n - r.snoozed, atLeast: r.n > COUNT_CAP }))
}
