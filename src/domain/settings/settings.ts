import { z } from 'zod'
import type { Prisma, Tx } from '../../db/database.ts'

/** Every setting an admin can change, with its default. 0 days disables that step. */
export const settingsSchema = z.object({
  pendingCloseDays: z.coerce.number().int().min(0).max(3650).default(30),
  reminderBeforeCloseDays: z.coerce.number().int().min(0).max(3650).default(7),
  reopenWindowDays: z.coerce.number().int().min(0).max(3650).default(30),
  closingEmailEnabled: z.boolean().default(true),
  attachmentMaxBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .max(100 * 1024 * 1024)
    .default(8 * 1024 * 1024),
  /** When the lifecycle sweep runs (node-cron syntax, UTC). */
  sweepSchedule: z
    .string()
    .trim()
    .regex(/^(\S+\s+){4}\S+$/, 'Use five cron fields, e.g. */5 * * * *')
    .default('*/5 * * * *'),
  reminderText: z
    .string()
    .trim()
    .min(1, 'Write the reminder text')
    .max(5000)
    .default(
      'We answered your request a while ago and have not heard back. Is your problem solved? One click tells us; if we do not hear from you, we will close the request in {days} days.',
    ),
  closingText: z
    .string()
    .trim()
    .min(1, 'Write the closing text')
    .max(5000)
    .default('As we have not heard back from you, we closed your request. If you still need help, just reply to this e-mail and it will be reopened.'),
})

export type Settings = z.infer<typeof settingsSchema>
export type SettingKey = keyof Settings

export const defaultSettings: Settings = settingsSchema.parse({})

/** Stored values over the defaults; a stored value that no longer validates falls back to its default. */
export async function loadSettings(db: Pick<Prisma | Tx, 'setting'>): Promise<Settings> {
  const rows = await db.setting.findMany({ where: { key: { in: Object.keys(defaultSettings) } } })
  const merged: Record<string, unknown> = { ...defaultSettings }
  for (const row of rows) {
    const field = settingsSchema.shape[row.key as SettingKey]
    const parsed = field?.safeParse(row.value)
    if (parsed?.success) merged[row.key] = parsed.data
  }
  return merged as Settings
}
