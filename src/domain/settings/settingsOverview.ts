import type { Actor } from '../actor.ts'
import type { QueryContext } from '../context.ts'
import { authorize, INSTANCE } from '../policy.ts'

/** The settings home page: agents, folders, tags and how the outbox stands, for administrators. */
export async function getSettingsOverview(ctx: QueryContext, admin: Actor) {
  authorize(admin, 'administer', INSTANCE)
  const { prisma } = ctx
  const [agents, folders, tags, queuedMail, failedMail] = await Promise.all([
    prisma.agent.findMany({ orderBy: { name: 'asc' }, select: { id: true, name: true, email: true, role: true, active: true } }),
    prisma.folder.findMany({
      orderBy: [{ position: 'asc' }, { name: 'asc' }],
      select: { id: true, name: true, inboundAddress: true, _count: { select: { conversations: true, members: true } } },
    }),
    prisma.tag.findMany({ orderBy: { name: 'asc' } }),
    prisma.outboxEmail.count({ where: { status: { in: ['queued', 'sending'] } } }),
    prisma.outboxEmail.count({ where: { status: 'failed' } }),
  ])
  return { agents, folders, tags, queuedMail, failedMail }
}
