import type { Prisma } from '../../db/database.ts'

/** How far back a given-up e-mail still raises the alarm: long enough to be seen after a weekend. */
export const FAILURE_ALERT_DAYS = 7

const CACHE_MS = 30_000
const cache = new WeakMap<Prisma, { at: number; count: number }>()

/**
 * E-mails the outbox gave up on (after about two hours of failed attempts) in the last
 * FAILURE_ALERT_DAYS. Mail cannot warn of mail trouble, so admins see this on every page and
 * monitoring on /healthz. Counted at most every 30 seconds per process.
 */
export async function recentOutboxFailures(prisma: Prisma, now = Date.now()): Promise<number> {
  const cached = cache.get(prisma)
  if (cached && now - cached.at < CACHE_MS) return cached.count
  const since = new Date(now - FAILURE_ALERT_DAYS * 24 * 3600_000)
  const count = await prisma.outboxEmail.count({ where: { status: 'failed', createdAt: { gt: since } } })
  cache.set(prisma, { at: now, count })
  return count
}

/** Forgets the cached count (after a retry from the outbox page, and in tests). */
export function forgetOutboxFailures(prisma: Prisma) {
  cache.delete(prisma)
}
