import type { Prisma, Tx } from '../../db/database.ts'
import type { Actor } from '../actor.ts'
import { agentsAllowedWhere, authorize, folderScope, INSTANCE } from '../policy.ts'

/** What the reports page's menus offer a viewer. */
export interface ReportFilterOptions {
  /** The folders the viewer may read, in their configured order. */
  folders: { id: number; name: string }[]
  /** Agents who may work in those folders (deactivated ones too: their past work is in the figures). */
  agents: { id: number; name: string; active: boolean }[]
  tags: { id: number; name: string }[]
}

/**
 * The folders, agents and tags the reports page may offer: an admin every one of them, an agent
 * their own folders and the agents of those folders (who else could have worked there). Tags
 * belong to the whole instance.
 */
export async function reportFilterOptions(prisma: Prisma | Tx, actor: Actor): Promise<ReportFilterOptions> {
  authorize(actor, 'read', INSTANCE)
  const scope = await folderScope(prisma, actor)
  const agentWhere = scope === null ? {} : { OR: scope.flatMap((folderId) => agentsAllowedWhere(folderId).OR) }
  const [folders, agents, tags] = await Promise.all([
    prisma.folder.findMany({
      where: scope === null ? {} : { id: { in: scope } },
      select: { id: true, name: true },
      orderBy: [{ position: 'asc' }, { name: 'asc' }],
    }),
    // An agent with no folder at all has nothing to choose among the agents.
    scope !== null && scope.length === 0
      ? Promise.resolve([])
      : prisma.agent.findMany({ where: agentWhere, select: { id: true, name: true, active: true }, orderBy: [{ active: 'desc' }, { name: 'asc' }] }),
    prisma.tag.findMany({ select: { id: true, name: true }, orderBy: { name: 'asc' } }),
  ])
  return { folders, agents, tags }
}
