import type { QueryContext } from '../context.ts'

/**
 * Stored first answers to API requests sent with an Idempotency-Key, per token. A key is claimed
 * before the request runs (so two copies sent at once cannot both run), its answer stored after,
 * and kept for a day (docs/decisions.md, "API").
 */

export const IDEMPOTENCY_KEY_LIFETIME_MS = 24 * 60 * 60 * 1000

/**
 * A key claimed this long ago whose answer was never stored belongs to a request that died with
 * its process (no request runs this long: transactions end within a minute); it is taken over.
 */
const ABANDONED_AFTER_MS = 5 * 60 * 1000

export type IdempotencyClaim =
  | { kind: 'claimed' }
  /** Another request with this key is still running. */
  | { kind: 'in-flight' }
  /** The key was used for a different request. */
  | { kind: 'mismatch' }
  | { kind: 'replay'; status: number; headers: Record<string, string>; body: Buffer | null }

/** Expired keys are deleted at most this often, by whichever request comes then (as the rate-limit counters are). */
const FORGET_EVERY_MS = 60 * 60 * 1000
let forgotAt = 0

export async function claimIdempotencyKey(ctx: QueryContext, tokenId: number, key: string, fingerprint: string, now: Date): Promise<IdempotencyClaim> {
  const since = new Date(now.getTime() - IDEMPOTENCY_KEY_LIFETIME_MS)
  if (now.getTime() - forgotAt > FORGET_EVERY_MS) {
    forgotAt = now.getTime()
    await forgetExpiredIdempotencyKeys(ctx, now)
  }
  // An expired row of the same key is taken over in the same statement.
  const claimed = await ctx.prisma.$executeRaw`
    INSERT INTO idempotency_keys ("tokenId", key, fingerprint, "createdAt") VALUES (${tokenId}, ${key}, ${fingerprint}, ${now})
    ON CONFLICT ("tokenId", key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, status = NULL, headers = '{}', body = NULL, "createdAt" = EXCLUDED."createdAt"
    WHERE idempotency_keys."createdAt" < ${since}
       OR (idempotency_keys.status IS NULL AND idempotency_keys."createdAt" < ${new Date(now.getTime() - ABANDONED_AFTER_MS)})`
  if (claimed === 1) return { kind: 'claimed' }
  const row = await ctx.prisma.idempotencyKey.findUnique({ where: { tokenId_key: { tokenId, key } } })
  // Released between the two statements (its request failed): the client may simply try again.
  if (!row) return { kind: 'in-flight' }
  if (row.fingerprint !== fingerprint) return { kind: 'mismatch' }
  if (row.status === null) return { kind: 'in-flight' }
  return { kind: 'replay', status: row.status, headers: row.headers as Record<string, string>, body: row.body ? Buffer.from(row.body) : null }
}

export async function completeIdempotencyKey(
  ctx: QueryContext,
  tokenId: number,
  key: string,
  answer: { status: number; headers: Record<string, string>; body: Buffer | null },
): Promise<void> {
  await ctx.prisma.idempotencyKey.update({
    where: { tokenId_key: { tokenId, key } },
    data: { status: answer.status, headers: answer.headers, body: answer.body ? new Uint8Array(answer.body) : null },
  })
}

/** Frees a key whose request failed on the server's side, so that a retry runs it. */
export async function releaseIdempotencyKey(ctx: QueryContext, tokenId: number, key: string): Promise<void> {
  await ctx.prisma.idempotencyKey.deleteMany({ where: { tokenId, key, status: null } })
}

/** Deletes expired keys, a bounded batch at a time (the work of the request that runs it stays small). */
export async function forgetExpiredIdempotencyKeys(ctx: QueryContext, now: Date, batch = 1000): Promise<number> {
  return ctx.prisma.$executeRaw`
    DELETE FROM idempotency_keys WHERE ctid IN (
      SELECT ctid FROM idempotency_keys WHERE "createdAt" < ${new Date(now.getTime() - IDEMPOTENCY_KEY_LIFETIME_MS)} LIMIT ${batch})`
}
