import { Prisma as P } from '../../generated/prisma/client.ts'
import { SYSTEM } from '../actor.ts'
import type { DomainContext } from '../context.ts'
import { recordEvents } from '../events/record.ts'
import { transaction } from '../transaction.ts'

/** Conversations per transaction: one UPDATE and one INSERT of events each. */
export const WAKE_BATCH_SIZE = 500

/**
 * Brings back every conversation whose snooze has come to its moment (`snoozedUntil <= now`):
 * clears the snooze and sets its last activity to now, so it is back at the top of its tab, and
 * records `conversation.woke` as the System, naming the assignee (their notification reads it).
 *
 * Bounded batches, one transaction each, until nothing is due. A batch claims its rows with
 * FOR UPDATE SKIP LOCKED (materialised, as the lifecycle sweep does) and an UPDATE whose condition
 * the claim itself falsifies, so overlapping runs on several instances never wake one twice.
 * Only the system runs it (the scheduler, every minute).
 */
export async function wakeSnoozedConversations(ctx: DomainContext, _system: typeof SYSTEM, options: { batchSize?: number } = {}): Promise<number> {
  const batchSize = options.batchSize ?? WAKE_BATCH_SIZE
  let woken = 0
  for (;;) {
    const n = await wakeBatch(ctx, batchSize)
    woken += n
    if (n < batchSize) return woken
  }
}

async function wakeBatch(ctx: DomainContext, batchSize: number): Promise<number> {
  return transaction(ctx, async (tx) => {
    const now = ctx.clock()
    const rows = await tx.$queryRaw<{ id: number; folderId: number; assigneeId: number | null }[]>(P.sql`
      WITH due AS MATERIALIZED (
        SELECT id FROM conversations
        WHERE "snoozedUntil" <= ${now}
        ORDER BY "snoozedUntil", id LIMIT ${batchSize} FOR UPDATE SKIP LOCKED)
      UPDATE conversations c SET "snoozedAt" = NULL, "snoozedUntil" = NULL, "snoozedById" = NULL, "lastActivityAt" = ${now}
      FROM due
      WHERE c.id = due.id AND c."snoozedUntil" <= ${now}
      RETURNING c.id, c."folderId", c."assigneeId"`)
    if (rows.length === 0) return 0
    await recordEvents(
      ctx,
      tx,
      rows.map((r) => ({
        type: 'conversation.woke' as const,
        actor: SYSTEM,
        at: now,
        conversation: { id: r.id, folderId: r.folderId },
        data: { reason: 'time', assigneeId: r.assigneeId },
      })),
    )
    return rows.length
  })
}
