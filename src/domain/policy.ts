import type { Prisma } from '../db/database.ts'
import type { Actor } from './agents/authenticate.ts'

/**
 * Folder scope of an agent: admins see every folder (null), agents only those they belong to.
 * Every conversation query takes this and filters in SQL, never after loading.
 */
export type FolderScope = number[] | null

export async function folderScope(prisma: Prisma, actor: Actor): Promise<FolderScope> {
  if (actor.role === 'admin') return null
  const rows = await prisma.folderMember.findMany({ where: { agentId: actor.id }, select: { folderId: true } })
  return rows.map((r) => r.folderId)
}

/** A Prisma `where` fragment restricting conversations to the scope. */
export function conversationScopeWhere(scope: FolderScope) {
  return scope === null ? {} : { folderId: { in: scope } }
}
