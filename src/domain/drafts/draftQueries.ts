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
  return prisma.$queryRaw<Drafter[]>`
    SELECT d."agentId", a.name FROM drafts d JOIN agents a ON a.id = d."agentId"
    WHERE d."conversationId" = ${conversationId} AND a.active ORDER BY d."updatedAt", d."agentId"`
}

/**
 * For the conversation page, in one statement: the agent's own draft (it fills an empty editor)
 * and the names of the others who have one.
 */
export async function draftsOnConversation(prisma: Prisma, agent: Actor, conversationId: number) {
  const rows = await prisma.$queryRaw<{ agentId: number; name: string; html: string | null; text: string | null }[]>`
    SELECT d."agentId", a.name,
           CASE WHEN d."agentId" = ${agent.id} THEN d.html END AS html, CASE WHEN d."agentId" = ${agent.id} THEN d.text END AS text
    FROM drafts d JOIN agents a ON a.id = d."agentId"
    WHERE d."conversationId" = ${conversationId} AND (a.active OR d."agentId" = ${agent.id}) ORDER BY d."updatedAt", d."agentId"`
  const mine = rows.find((r) => r.agentId === agent.id)
  return {
    mine: mine ? { html: mine.html ?? '', text: mine.text ?? '' } : null,
    others: rows.filter((r) => r.agentId !== agent.id).map((r) => r.name),
  }
}

/** The drafts of the others on a conversation: their names. */
export async function othersDrafting(prisma: Prisma, agent: Actor, conversationId: number): Promise<string[]> {
  return (await draftersOf(prisma, conversationId)).filter((d) => d.agentId !== agent.id).map((d) => d.name)
}
