import cron from 'node-cron'
import { isLocale } from '../../i18n/catalogues.ts'
import type { Actor } from '../actor.ts'
import type { DomainContext } from '../context.ts'
import { ValidationError, parseInput } from '../errors.ts'
import { recordAdminEvent } from '../events/record.ts'
import { authorize, INSTANCE } from '../policy.ts'
import { transaction } from '../transaction.ts'
import { loadSettings, settingsSchema, type Settings } from './settings.ts'

/** Whether two values of a setting differ (the per-language texts are objects). */
const differs = (a: unknown, b: unknown) => JSON.stringify(a) !== JSON.stringify(b)

/**
 * Saves the settings an administrator changed, validated as a whole (a reminder must come before
 * the close it announces), with one audit entry naming what changed.
 */
export async function updateSettings(ctx: DomainContext, admin: Actor, input: Partial<Record<keyof Settings, unknown>>): Promise<Settings> {
  authorize(admin, 'administer', INSTANCE)
  const current = await loadSettings(ctx.prisma)
  const next = parseInput(settingsSchema, { ...current, ...input })
  if (next.pendingCloseDays > 0 && next.reminderBeforeCloseDays >= next.pendingCloseDays) {
    throw new ValidationError('mail.settings.reminderBeforeClose', {
      reminderBeforeCloseDays: { key: 'mail.settings.remindFewerDays', values: { days: next.pendingCloseDays } },
    })
  }
  if (!cron.validate(next.sweepSchedule)) throw new ValidationError('mail.settings.scheduleInvalid', { sweepSchedule: { key: 'mail.settings.scheduleHint' } })
  const changed = (Object.keys(next) as (keyof Settings)[]).filter((k) => differs(next[k], current[k]))
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

/**
 * The language the first administrator set the help desk up in (their browser's, when it names
 * one offered) becomes theirs and the help desk's default: for agents who join later and for the
 * e-mails of the folder made at setup, whose customers have not said theirs yet.
 */
export async function setSetupLanguage(ctx: DomainContext, admin: Actor, input: { locale: string }): Promise<void> {
  authorize(admin, 'administer', INSTANCE)
  const { locale } = input
  if (!isLocale(locale)) return
  const current = await loadSettings(ctx.prisma)
  await transaction(ctx, async (tx) => {
    await tx.agent.update({ where: { id: admin.id }, data: { locale, timeZone: current.defaultTimeZone } })
    // At setup the only folder is the default one, made with the first administrator.
    if ((await tx.folder.count()) === 1) await tx.folder.updateMany({ data: { locale } })
    if (current.defaultLocale === locale) return
    await tx.setting.upsert({
      where: { key: 'defaultLocale' },
      create: { key: 'defaultLocale', value: locale, updatedById: admin.id },
      update: { value: locale, updatedById: admin.id },
    })
    await recordAdminEvent(tx, {
      type: 'settings.updated',
      agentId: admin.id,
      at: ctx.clock(),
      target: { type: 'settings' },
      data: { defaultLocale: { from: current.defaultLocale, to: locale } },
    })
  })
}
