import cron, { type RunCoordinator, type ScheduledTask } from 'node-cron'
import type { Logger } from 'pino'
import { SYSTEM } from '../domain/actor.ts'
import type { DomainContext } from '../domain/context.ts'
import { wakeSnoozedConversations } from '../domain/lifecycle/wakeSnoozed.ts'

/** Every minute: a snooze "until 9:00" should not end at 9:05 (the sweep's default schedule). */
export const SNOOZE_WAKE_SCHEDULE = '* * * * *'

const LEASE_MS = 5 * 60 * 1000

/**
 * Schedules the wake-up of snoozed conversations (UTC, every minute). Every instance schedules it;
 * the run coordinator lets one of them run each fire, and the job's claims make overlapping runs safe anyway.
 */
export function scheduleSnoozeWake(ctx: DomainContext, logger: Logger, coordinator: RunCoordinator): { task: ScheduledTask; running(): Promise<unknown> } {
  let running: Promise<unknown> = Promise.resolve()
  const task = cron.schedule(
    SNOOZE_WAKE_SCHEDULE,
    async () => {
      const work = wakeSnoozedConversations(ctx, SYSTEM)
      running = work.catch(() => {})
      const woken = await work
      if (woken > 0) logger.info({ woken }, 'snoozed conversations woken')
    },
    { name: 'snooze-wake', timezone: 'Etc/UTC', noOverlap: true, distributed: true, runCoordinator: coordinator, distributedLease: LEASE_MS, unref: true },
  )
  return { task, running: () => running }
}
