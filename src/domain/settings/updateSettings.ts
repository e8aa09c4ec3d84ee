import cron from 'node-cron'
import type { Actor } from '../actor.ts'
import type { DomainContext } from '../context.ts'
import { ValidationError, parseInput } from '../errors.ts'
import { recordAdminEvent } from '../events/record.ts'
import { authorize, INSTANCE } from '../policy.ts'
import { transaction } from '../transaction.ts'
import { loadSettings, settingsSchema, type Settings } from './settings.ts'

/**
 * Saves the settings an administrator changed, validated as a whole (a reminder must come before
 * the close it announces), with one audit entry naming what changed.
 */
export async function updateSettings(ctx: DomainContext, admin: Actor, input: Partial<Record<keyof Settings, unknown>>): Promise<Settings> {
  authorize(admin, 'administer', INSTANCE)
  const current = await loadSettings(ctx.prisma)
  const next = parseInput(settingsSchema, { ...current, ...input })
  if (next.pendingCloseDays > 0 && next.reminderBeforeCloseDays >= next.pendingCloseDays) {
    throw new ValidationError('The reminder must come before the close', {
      reminderBeforeCloseDays: `Remind fewer than ${next.pendingCloseDays} days before the close (or 0 for no reminder).`,
    })
  }
  if (!cron.validate(next.sweepSchedule))
    throw new ValidationError('The schedule is not valid', { sweepSchedule: 'Use five cron fields, e.g. */5 * * * * for every five minutes.' })
  const changed = (Object.keys(next) as (keyof Settings)[]).filter((k) => next[k] !== current[k])
  if (changed.length === 0) return next
  await transaction(ctx, async (tx) => {
    for (const key of changed) {
      await tx.setting.upsert({ where: { key }, create: { key, value: next[key], updatedById: admin.id }, update: { value: next[key], updatedById: admin.id } })
    }
    await recordAdminEvent(tx, {
      type: 'settings.updated',
      agentId: admin.id,
      at: ctx.clock(),
      target: { type: 'settings' },
      data: Object.fromEntries(changed.map((k) => [k, { from: current[k], to: next[k] }])),
    })
  })
  return next
}
