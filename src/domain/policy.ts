import type { Prisma } from '../db/database.ts'
import type { Actor } from './actor.ts'
import { Prisma as P } from '../generated/prisma/client.ts'
import { ForbiddenError } from './errors.ts'

/**
 * Folder scope of an agent: admins see every folder (null), agents only those they belong to.
 * Every conversation query takes this and filters in SQL, never after loading.
 */
export type FolderScope = number[] | null

export async function folderScope(prisma: Prisma, actor: Actor): Promise<FolderScope> {
  if (actor.role === 'admin') return null
  // Read with the agent at the start of the request: no query of its own.
  if (actor.folderIds) return actor.folderIds
  const rows = await prisma.folderMember.findMany({ where: { agentId: actor.id }, select: { folderId: true } })
  return rows.map((r) => r.folderId)
}

/** The SQL condition that `column` (a folder id) is in the scope, for raw queries. */
export function scopeSql(column: P.Sql, scope: FolderScope): P.Sql {
  if (scope === null) return P.sql`TRUE`
  if (scope.length === 0) return P.sql`FALSE`
  return P.sql`${column} IN (${P.join(scope)})`
}

/** A Prisma `where` fragment restricting conversations to the scope. */
export function conversationScopeWhere(scope: FolderScope) {
  return scope === null ? {} : { folderId: { in: scope } }
}

/** Settings, folders, tags, agents and mail accounts are the administrators' to change. */
export function assertAdmin(actor: Actor): void {
  if (actor.role !== 'admin') throw new ForbiddenError()
}
