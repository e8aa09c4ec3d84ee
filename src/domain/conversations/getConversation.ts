import type { Prisma } from '../../db/database.ts'
import type { Actor } from '../agents/authenticate.ts'
import { NotFoundError } from '../errors.ts'
import { conversationScopeWhere, type FolderScope } from '../policy.ts'

/** A conversation by its public number, if the agent may see it; NotFoundError otherwise. */
export async function findVisibleConversation(prisma: Prisma, scope: FolderScope, number: number) {
  const conversation = await prisma.conversation.findFirst({ where: { number, ...conversationScopeWhere(scope) } })
  if (!conversation) throw new NotFoundError()
  return conversation
}

/** Everything the conversation page shows, in a fixed number of queries. */
export async function getConversationPage(prisma: Prisma, actor: Actor, scope: FolderScope, number: number) {
  const conversation = await prisma.conversation.findFirst({
    where: { number, ...conversationScopeWhere(scope) },
    include: {
      customer: true,
      assignee: { select: { id: true, name: true } },
      folder: { select: { id: true, name: true } },
      tags: { include: { tag: true }, orderBy: { tag: { name: 'asc' } } },
      previousConversation: { select: { number: true, subject: true, folderId: true } },
      followUps: { select: { number: true, subject: true, folderId: true } },
    },
  })
  if (!conversation) throw new NotFoundError()
  const scopeWhere = conversationScopeWhere(scope)
  const [messages, history, otherConversations, folders, tags, assignees, names] = await Promise.all([
    prisma.message.findMany({
      where: { conversationId: conversation.id },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      include: { author: { select: { name: true } }, attachments: { orderBy: { id: 'asc' } } },
    }),
    prisma.historyEvent.findMany({ where: { conversationId: conversation.id }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: 200, include: { actor: { select: { name: true } } } }),
    prisma.conversation.findMany({
      where: { customerId: conversation.customerId, id: { not: conversation.id }, ...scopeWhere },
      orderBy: [{ lastActivityAt: 'desc' }, { id: 'desc' }],
      take: 10,
      select: { number: true, subject: true, status: true, lastActivityAt: true },
    }),
    prisma.folder.findMany({ where: scope === null ? {} : { id: { in: scope } }, orderBy: [{ position: 'asc' }, { name: 'asc' }], select: { id: true, name: true } }),
    prisma.tag.findMany({ orderBy: { name: 'asc' } }),
    // Who can take it: active agents of its folder, and every active admin.
    prisma.agent.findMany({
      where: { active: true, OR: [{ role: 'admin' }, { folders: { some: { folderId: conversation.folderId } } }] },
      orderBy: { name: 'asc' },
      select: { id: true, name: true },
    }),
    // Names the history refers to by id (agents, folders), however they changed since.
    Promise.all([prisma.agent.findMany({ select: { id: true, name: true } }), prisma.folder.findMany({ select: { id: true, name: true } })]),
  ])
  const [agentNames, folderNames] = names
  return {
    conversation,
    messages,
    history,
    otherConversations,
    folders,
    tags,
    assignees,
    actor,
    agentNames: new Map(agentNames.map((a) => [a.id, a.name])),
    folderNames: new Map(folderNames.map((f) => [f.id, f.name])),
  }
}
