import type { Prisma } from '../../db/database.ts'
import { scopeSql, type FolderScope } from '../policy.ts'
import { PREPARED_MARKER } from '../../db/preparedStatements.ts'
import { Prisma as P } from '../../generated/prisma/client.ts'

export interface FilterOptions {
  /** The folders in the agent's scope, in their configured order. */
  folders: { id: number; name: string }[]
  tags: { id: number; name: string; colour: string }[]
  /** Active agents, for assignee menus. */
  agents: { id: number; name: string }[]
}

/**
 * What the filter and assignee menus offer, in one round trip: the list page asks on every view,
 * and three small queries cost more in the app than the rows they return.
 */
export async function filterOptions(prisma: Prisma, scope: FolderScope): Promise<FilterOptions> {
  const [row] = await prisma.$queryRaw<
    { folders: FilterOptions['folders']; tags: FilterOptions['tags']; agents: FilterOptions['agents'] }[]
  >`${P.raw(PREPARED_MARKER)}
    SELECT
      (SELECT coalesce(json_agg(json_build_object('id', f.id, 'name', f.name) ORDER BY f.position, f.name), '[]')
         FROM folders f WHERE ${scopeSql(P.sql`f.id`, scope)}) AS folders,
      (SELECT coalesce(json_agg(json_build_object('id', t.id, 'name', t.name, 'colour', t.colour) ORDER BY t.name), '[]')
         FROM tags t) AS tags,
      (SELECT coalesce(json_agg(json_build_object('id', a.id, 'name', a.name) ORDER BY a.name), '[]')
         FROM agents a WHERE a.active) AS agents`
  return row!
}
