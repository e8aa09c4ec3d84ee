import type { Prisma } from '../../db/database.ts'
import type { Actor } from '../actor.ts'

export interface Drafter {
  agentId: number
  name: string
}

/** The agent's own draft on a conversation, if any (the page has already checked they may see it). */
export async function getDraft(prisma: Prisma, agent: Actor, conversationId: number) {
  return prisma.draft.findUnique({
    where: { agentId_conversationId: { agentId: agent.id, conversationId } },
    select: { html: true, text: true, updatedAt: true },
  })
}

/** Who has a draft on the conversation, by name (for "Alice has a draft"); active agents only. */
export async function draftersOf(prisma: Prisma, conversationId: number): Promise<Drafter[]> {
  const rows = await prisma.draft.findMany({
    where: { conversationId, agent: { active: true } },
    select: { agentId: true, agent: { select: { name: true } } },
    orderBy: { updatedAt: 'asc' },
  })
  return rows.map((r) => ({ agentId: r.agentId, name: r.agent.name }))
}

/** The drafts of the others on a conversation: their names. */
export async function othersDrafting(prisma: Prisma, agent: Actor, conversationId: number): Promise<string[]> {
  return (await draftersOf(prisma, conversationId)).filter((d) => d.agentId !== agent.id).map((d) => d.name)
}
