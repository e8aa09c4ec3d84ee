import type { Prisma } from '../db/database.ts'
import type { Actor } from './agents/authenticate.ts'
import { Prisma as P } from '../generated/prisma/client.ts'

/**
 * Folder scope of an agent: admins see every folder (null), agents only those they belong to.
 * Every conversation query takes this and filters in SQL, never after loading.
 */
export type FolderScope = number[] | null

/** Scopes read together with their actor (one query per request for both), by actor object. */
const loadedScopes = new WeakMap<Actor, number[]>()

/** Records the folders read along with `actor`, so that folderScope needs no query of its own. */
export function rememberScope(actor: Actor, folderIds: number[]): void {
  if (actor.role !== 'admin') loadedScopes.set(actor, folderIds)
}

export async function folderScope(prisma: Prisma, actor: Actor): Promise<FolderScope> {
  if (actor.role === 'admin') return null
  const known = loadedScopes.get(actor)
  if (known) return known
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
