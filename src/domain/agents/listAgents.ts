import type { Actor } from '../actor.ts'
import type { QueryContext } from '../context.ts'
import { NotFoundError } from '../errors.ts'
import { CHANNELS, readPrefs } from '../notifications/preferences.ts'
import { authorize, INSTANCE } from '../policy.ts'

// The administrators' view of the agents. Password hashes never leave the domain: only whether
// one is set (an invited agent has not chosen a password yet).

/** Every agent, active ones first, with their folders' names and how many open conversations they hold. */
export async function listAgentsForAdmin(ctx: QueryContext, admin: Actor) {
  authorize(admin, 'administer', INSTANCE)
  const agents = await ctx.prisma.agent.findMany({
    orderBy: [{ active: 'desc' }, { name: 'asc' }],
    select: {
      id: true,
      name: true,
      email: true,
      role: true,
      active: true,
      passwordHash: true,
      folders: { select: { folder: { select: { name: true } } } },
      _count: { select: { assigned: { where: { status: { not: 'closed' } } } } },
    },
  })
  return agents.map(({ passwordHash, folders, _count, ...a }) => ({
    ...a,
    invited: passwordHash === null,
    folderNames: folders.map((f) => f.folder.name),
    openAssignments: _count.assigned,
  }))
}

/** How many of an agent's open conversations their page lists. */
const OPEN_SHOWN = 50

/** One agent for their settings page, with the open conversations still assigned to them. */
export async function getAgentForAdmin(ctx: QueryContext, admin: Actor, agentId: number) {
  authorize(admin, 'administer', INSTANCE)
  const [agent, open] = await Promise.all([
    ctx.prisma.agent.findUnique({
      where: { id: agentId },
      select: {
        id: true,
        name: true,
        email: true,
        role: true,
        active: true,
        passwordHash: true,
        notifyOnNewInFolder: true,
        notificationPrefs: true,
        folders: { select: { folderId: true } },
      },
    }),
    ctx.prisma.conversation.findMany({
      where: { assigneeId: agentId, status: { not: 'closed' } },
      orderBy: { lastActivityAt: 'desc' },
      take: OPEN_SHOWN,
      select: { number: true, subject: true, status: true },
    }),
  ])
  if (!agent) throw new NotFoundError()
  const { passwordHash, folders, notificationPrefs, ...rest } = agent
  return {
    agent: { ...rest, invited: passwordHash === null, folderIds: folders.map((f) => f.folderId), prefs: readPrefs(notificationPrefs), channels: CHANNELS },
    open,
  }
}
