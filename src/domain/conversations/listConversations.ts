import { z } from 'zod'
import type { Prisma } from '../../db/database.ts'
import type { ConversationStatus } from '../../generated/prisma/enums.ts'
import type { Actor } from '../agents/authenticate.ts'
import { conversationScopeWhere, type FolderScope } from '../policy.ts'

export const TABS = ['new', 'open', 'pending', 'closed', 'all', 'mine', 'unassigned'] as const
export type Tab = (typeof TABS)[number]

export const listQuerySchema = z.object({
  tab: z.enum(TABS).catch('new'),
  /** Keyset cursor: "<lastActivityAt ms>_<id>" of the last row of the previous page. */
  after: z
    .string()
    .regex(/^\d{1,15}_\d{1,10}$/)
    .optional()
    .catch(undefined),
})
export type ListQuery = z.infer<typeof listQuerySchema>

export const PAGE_SIZE = 50

// Mine and Unassigned are work queues: they leave closed conversations out.
function tabWhere(tab: Tab, actor: Actor) {
  switch (tab) {
    case 'all':
      return {}
    case 'mine':
      return { assigneeId: actor.id, status: { not: 'closed' as ConversationStatus } }
    case 'unassigned':
      return { assigneeId: null, status: { not: 'closed' as ConversationStatus } }
    default:
      return { status: tab }
  }
}

export async function listConversations(prisma: Prisma, actor: Actor, scope: FolderScope, query: ListQuery) {
  const where = { ...conversationScopeWhere(scope), ...tabWhere(query.tab, actor) }
  let keyset = {}
  if (query.after) {
    const [ms, id] = query.after.split('_').map(Number) as [number, number]
    const at = new Date(ms)
    keyset = { OR: [{ lastActivityAt: { lt: at } }, { lastActivityAt: at, id: { lt: id } }] }
  }
  const rows = await prisma.conversation.findMany({
    where: { AND: [where, keyset] },
    orderBy: [{ lastActivityAt: 'desc' }, { id: 'desc' }],
    take: PAGE_SIZE + 1,
    select: {
      id: true,
      number: true,
      subject: true,
      status: true,
      snippet: true,
      lastActivityAt: true,
      customer: { select: { name: true, email: true } },
      assignee: { select: { name: true } },
      folder: { select: { name: true } },
      tags: { select: { tag: { select: { name: true, colour: true } } } },
    },
  })
  const hasMore = rows.length > PAGE_SIZE
  const page = rows.slice(0, PAGE_SIZE)
  const last = page.at(-1)
  return { rows: page, nextCursor: hasMore && last ? `${last.lastActivityAt.getTime()}_${last.id}` : null }
}

/** Counts for every tab in one indexed query. */
export async function countTabs(prisma: Prisma, actor: Actor, scope: FolderScope): Promise<Record<Tab, number>> {
  const grouped = await prisma.conversation.groupBy({
    by: ['status'],
    where: conversationScopeWhere(scope),
    _count: { _all: true },
  })
  const byStatus = Object.fromEntries(grouped.map((g) => [g.status, g._count._all])) as Partial<Record<ConversationStatus, number>>
  const [mine, unassigned] = await Promise.all([
    prisma.conversation.count({ where: { ...conversationScopeWhere(scope), ...tabWhere('mine', actor) } }),
    prisma.conversation.count({ where: { ...conversationScopeWhere(scope), ...tabWhere('unassigned', actor) } }),
  ])
  const s = (k: ConversationStatus) => byStatus[k] ?? 0
  return { new: s('new'), open: s('open'), pending: s('pending'), closed: s('closed'), all: s('new') + s('open') + s('pending') + s('closed'), mine, unassigned }
}
