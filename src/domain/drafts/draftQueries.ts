import type { Prisma } from '../../db/database.ts'
import { Prisma as P } from '../../generated/prisma/client.ts'
import type { Actor } from '../actor.ts'
import { jsonValue, readPart, type Part } from '../readTogether.ts'

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
  return readPart(prisma, draftsOnConversationPart(agent, conversationId))
}

/** The same, as a part of a page's one statement (src/domain/readTogether.ts). */
export function draftsOnConversationPart(agent: Actor, conversationId: number): Part<DraftsOnConversation> {
  return {
    sql: P.sql`(SELECT COALESCE(json_agg(json_build_object('agentId', d."agentId", 'name', a.name,
                  'html', CASE WHEN d."agentId" = ${agent.id} THEN d.html END, 'text', CASE WHEN d."agentId" = ${agent.id} THEN d.text END)
                  ORDER BY d."updatedAt", d."agentId"), '[]'::json)
                FROM drafts d JOIN agents a ON a.id = d."agentId"
                WHERE d."conversationId" = ${conversationId} AND (a.active OR d."agentId" = ${agent.id}))`,
    read: (value) => {
      const rows = jsonValue<{ agentId: number; name: string; html: string | null; text: string | null }[]>(value)
      const mine = rows.find((r) => r.agentId === agent.id)
      return {
        mine: mine ? { html: mine.html ?? '', text: mine.text ?? '' } : null,
        others: rows.filter((r) => r.agentId !== agent.id).map((r) => r.name),
      }
    },
  }
}

export interface DraftsOnConversation {
  /** The agent's own draft: it fills the editor when the page opens with an empty form. */
  mine: { html: string; text: string } | null
  /** Who else has a draft here, by name. */
  others: string[]
}

/** The drafts of the others on a conversation: their names. */
export async function othersDrafting(prisma: Prisma, agent: Actor, conversationId: number): Promise<string[]> {
  return (await draftersOf(prisma, conversationId)).filter((d) => d.agentId !== agent.id).map((d) => d.name)
}
