import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import cron, { type ScheduledTask } from 'node-cron'
import type { Logger } from 'pino'
import type { DomainContext } from '../domain/context.ts'
import { SYSTEM } from '../domain/actor.ts'
import { runLifecycleSweep } from '../domain/lifecycle/sweep.ts'
import { loadSettings } from '../domain/settings/settings.ts'
import { postgresRunCoordinator } from './runCoordinator.ts'
import { scheduleSnoozeWake } from './snoozeWaker.ts'

export interface Scheduler {
  stop(): Promise<void>
}

const LEASE_MS = 10 * 60 * 1000

/**
 * Runs the lifecycle sweep on the schedule from the settings (UTC). Every instance schedules
 * it; the PostgreSQL run coordinator lets exactly one of them run each fire. A changed schedule
 * is picked up within a minute.
 */
export function startScheduler(ctx: DomainContext, logger: Logger): Scheduler {
  const holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`
  const coordinator = postgresRunCoordinator(ctx.prisma, holder)
  let task: ScheduledTask | null = null
  let expression = ''
  let running: Promise<unknown> = Promise.resolve()

  async function refresh() {
    const { sweepSchedule } = await loadSettings(ctx.prisma)
    if (sweepSchedule === expression && task) return
    if (!cron.validate(sweepSchedule)) {
      logger.error({ sweepSchedule }, 'the sweep schedule is not a valid cron expression; keeping the previous one')
      return
    }
    await task?.stop()
    expression = sweepSchedule
    task = cron.schedule(
      sweepSchedule,
      async () => {
        const started = Date.now()
        const work = runLifecycleSweep(ctx, SYSTEM)
        running = work.catch(() => {})
        const result = await work
        logger.info({ ...result, ms: Date.now() - started }, 'lifecycle sweep done')
      },
      {
        name: 'lifecycle-sweep',
        timezone: 'Etc/UTC',
        noOverlap: true,
        distributed: true,
        runCoordinator: coordinator,
        distributedLease: LEASE_MS,
        unref: true,
      },
    )
    logger.info({ sweepSchedule }, 'lifecycle sweep scheduled')
  }

  const snoozeWake = scheduleSnoozeWake(ctx, logger, coordinator)
  const ready = refresh().catch((err) => logger.error({ err }, 'could not schedule the lifecycle sweep'))
  const watcher = setInterval(() => void refresh().catch((err) => logger.warn({ err }, 'could not re-read the sweep schedule')), 60_000)
  watcher.unref()
  return {
    async stop() {
      clearInterval(watcher)
      await ready
      await task?.stop()
      await snoozeWake.task.stop()
      await running
      await snoozeWake.running()
    },
  }
}
