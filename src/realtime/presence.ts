import type { Prisma } from '../db/database.ts'
import { Prisma as P } from '../generated/prisma/client.ts'
import type { EventBus, Viewer } from './events.ts'

/** Browsers report every few seconds; a viewer who stopped reporting is gone after this long. */
export const PRESENCE_TTL_SECONDS = 25

/** Who has each of these conversations open now. */
export async function viewersOf(prisma: Prisma, conversationIds: number[]): Promise<Map<number, Viewer[]>> {
  const out = new Map<number, Viewer[]>()
  if (conversationIds.length === 0) return out
  const rows = await prisma.$queryRaw<{ conversationId: number; agentId: number; name: string; composing: boolean }[]>`
    SELECT p."conversationId", p."agentId", a.name, p.composing FROM presence p JOIN agents a ON a.id = p."agentId"
    WHERE p."conversationId" IN (${P.join(conversationIds)}) AND p."expiresAt" > now() ORDER BY a.name`
  for (const r of rows) out.set(r.conversationId, [...(out.get(r.conversationId) ?? []), { agentId: r.agentId, name: r.name, composing: r.composing }])
  return out
}

async function announce(prisma: Prisma, events: EventBus, conversationId: number, folderId: number) {
  const viewers = (await viewersOf(prisma, [conversationId])).get(conversationId) ?? []
  events.publish({ type: 'presence.changed', conversationId, folderId, viewers })
}

/**
 * An agent's browser reports that the conversation is open (and whether they are typing). Only
 * a change (arrival, typing started or stopped) is announced; the rest just extends the row.
 */
export async function reportPresence(prisma: Prisma, events: EventBus, agentId: number, conversation: { id: number; folderId: number }, composing: boolean) {
  const [row] = await prisma.$queryRaw<{ changed: boolean }[]>`
    WITH previous AS (SELECT composing, "expiresAt" > now() AS live FROM presence WHERE "agentId" = ${agentId} AND "conversationId" = ${conversation.id})
    INSERT INTO presence ("agentId", "conversationId", composing, "expiresAt", "updatedAt")
    VALUES (${agentId}, ${conversation.id}, ${composing}, now() + make_interval(secs => ${PRESENCE_TTL_SECONDS}), now())
    ON CONFLICT ("agentId", "conversationId") DO UPDATE SET composing = EXCLUDED.composing, "expiresAt" = EXCLUDED."expiresAt", "updatedAt" = now()
    RETURNING NOT COALESCE((SELECT live AND composing = ${composing} FROM previous), false) AS changed`
  if (row?.changed) await announce(prisma, events, conversation.id, conversation.folderId)
}

export async function leaveConversation(prisma: Prisma, events: EventBus, agentId: number, conversation: { id: number; folderId: number }) {
  const gone = await prisma.presence.deleteMany({ where: { agentId, conversationId: conversation.id } })
  if (gone.count) await announce(prisma, events, conversation.id, conversation.folderId)
}

/** Removes viewers whose browser stopped reporting and announces it; each row goes to one instance. */
export async function expirePresence(prisma: Prisma, events: EventBus) {
  const rows = await prisma.$queryRaw<{ conversationId: number; folderId: number }[]>`
    WITH gone AS (DELETE FROM presence WHERE "expiresAt" <= now() RETURNING "conversationId")
    SELECT DISTINCT g."conversationId", c."folderId" FROM gone g JOIN conversations c ON c.id = g."conversationId"`
  for (const r of rows) await announce(prisma, events, r.conversationId, r.folderId)
  return rows.length
}
