import type { RunCoordinator } from 'node-cron'
import type { Prisma } from '../db/database.ts'

/**
 * node-cron asks this before each fire whether this instance should run it. The key names the
 * task and the time slot; the instance that inserts the lease row for it wins, the others skip.
 * A lease whose holder died runs again once it has expired.
 */
export function postgresRunCoordinator(prisma: Prisma, holder: string): RunCoordinator {
  return {
    async shouldRun(key, ttlMs) {
      const rows = await prisma.$queryRaw<{ holder: string }[]>`
        INSERT INTO scheduler_leases (name, holder, "expiresAt") VALUES (${key}, ${holder}, now() + make_interval(secs => ${ttlMs / 1000}))
        ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, "expiresAt" = EXCLUDED."expiresAt"
        WHERE scheduler_leases."expiresAt" < now() AND scheduler_leases."lastRunAt" IS NULL
        RETURNING holder`
      return rows[0]?.holder === holder
    },
    async onComplete(key) {
      await prisma.$executeRaw`UPDATE scheduler_leases SET "lastRunAt" = now() WHERE name = ${key} AND holder = ${holder}`
      // Old slots are history; keep a day of them to look at.
      await prisma.$executeRaw`DELETE FROM scheduler_leases WHERE "expiresAt" < now() - interval '1 day'`
    },
  }
}
