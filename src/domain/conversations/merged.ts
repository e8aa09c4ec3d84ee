import type { Prisma, Tx } from '../../db/database.ts'
import { messageSnippet } from './messageBody.ts'

/**
 * How far a merge chain is followed (#1 merged into #2, #2 into #3 …). Merges refuse a merged
 * conversation on either side, so a cycle cannot be made; the bound is there in case one is.
 */
const MAX_MERGE_HOPS = 20

/**
 * The conversation that now holds what was written to this one: itself, or the survivor it was
 * merged into (following the chain). Mail threading and the customer's status link go there.
 */
export async function survivingConversationId(db: Prisma | Tx, conversationId: number): Promise<number> {
  const [row] = await db.$queryRaw<{ id: number }[]>`
    WITH RECURSIVE chain AS (
      SELECT id, "mergedIntoId", 0 AS hops FROM conversations WHERE id = ${conversationId}
      UNION ALL
      SELECT c.id, c."mergedIntoId", chain.hops + 1 FROM conversations c JOIN chain ON c.id = chain."mergedIntoId"
      WHERE chain.hops < ${MAX_MERGE_HOPS}
    )
    SELECT id FROM chain ORDER BY hops DESC LIMIT 1`
  return row?.id ?? conversationId
}

/** The customer a (possibly merged) customer record now stands for: the end of its mergedIntoId chain. */
export async function survivingCustomerId(db: Prisma | Tx, customerId: number): Promise<number> {
  const [row] = await db.$queryRaw<{ id: number }[]>`
    WITH RECURSIVE chain AS (
      SELECT id, "mergedIntoId", 0 AS hops FROM customers WHERE id = ${customerId}
      UNION ALL
      SELECT c.id, c."mergedIntoId", chain.hops + 1 FROM customers c JOIN chain ON c.id = chain."mergedIntoId"
      WHERE chain.hops < ${MAX_MERGE_HOPS}
    )
    SELECT id FROM chain ORDER BY hops DESC LIMIT 1`
  return row?.id ?? customerId
}

/** The latest public message's snippet and the per-side timestamps, as appendMessage keeps them, read from the thread. */
export async function threadCounters(tx: Tx, conversationId: number) {
  const [row] = await tx.$queryRaw<{ lastMessageAt: Date | null; lastCustomerMessageAt: Date | null; lastAgentReplyAt: Date | null }[]>`
    SELECT max("createdAt") AS "lastMessageAt",
           max("createdAt") FILTER (WHERE kind = 'customer' AND NOT "isAutoReply") AS "lastCustomerMessageAt",
           max("createdAt") FILTER (WHERE kind = 'agent') AS "lastAgentReplyAt"
    FROM messages WHERE "conversationId" = ${conversationId}`
  const latest = await tx.message.findFirst({
    where: { conversationId, OR: [{ kind: 'agent' }, { kind: 'customer', isAutoReply: false }] },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    select: { bodyText: true, _count: { select: { attachments: true } } },
  })
  return {
    lastMessageAt: row?.lastMessageAt ?? null,
    lastCustomerMessageAt: row?.lastCustomerMessageAt ?? null,
    lastAgentReplyAt: row?.lastAgentReplyAt ?? null,
    snippet: latest ? messageSnippet(latest.bodyText, latest._count.attachments) : '',
  }
}
