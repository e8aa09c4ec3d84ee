import { z } from 'zod'
import type { Prisma, Tx } from '../../db/database.ts'
import { isLocale, LOCALES, REFERENCE_LOCALE } from '../../i18n/catalogues.ts'
import { isTimeZone } from '../../i18n/format.ts'
import { translate } from '../../i18n/translate.ts'

/**
 * A text an admin writes once per language (language code → text). A language without one (or
 * with an empty one) gets the built-in text of the catalogue; texts of languages no longer offered
 * are dropped.
 */
const textsPerLanguage = z
  .record(z.string(), z.string().trim().max(5000))
  .default({})
  .transform((texts) => Object.fromEntries(Object.entries(texts).filter(([code, text]) => isLocale(code) && text !== '')) as Record<string, string>)

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
    .regex(/^(\S+\s+){4}\S+$/, 'mail.settings.cronFields')
    .default('*/5 * * * *'),
  /** The reminder per language; {days} becomes the days left before the close. */
  reminderTexts: textsPerLanguage,
  /** The closing note per language. */
  closingTexts: textsPerLanguage,
  /** The language of a new agent (when their browser names none offered) and of new folders. */
  defaultLocale: z.string().refine(isLocale, 'validation.chooseLanguage').default(REFERENCE_LOCALE),
  /** The time zone of new agents and folders (IANA name). */
  defaultTimeZone: z.string().refine(isTimeZone, 'validation.chooseTimeZone').default('UTC'),
  /** Webhook endpoints on private, loopback and other internal addresses (off: the server is no proxy into its network). */
  webhooksAllowPrivateAddresses: z.boolean().default(false),
})

export type Settings = z.infer<typeof settingsSchema>
export type SettingKey = keyof Settings

export const defaultSettings: Settings = settingsSchema.parse({})

/** The per-language settings, which a form sends as one field per language (`reminderTexts.fr`). */
export const PER_LANGUAGE_SETTINGS = ['reminderTexts', 'closingTexts'] as const

/**
 * A per-language setting from a form's fields: `<name>.<code>` for each language offered (an
 * urlencoded form is read flat). Absent when the form sends none of them.
 */
export function perLanguageInput(body: Record<string, unknown>, name: (typeof PER_LANGUAGE_SETTINGS)[number]): Record<string, unknown> | undefined {
  const sent = LOCALES.filter((code) => body[`${name}.${code}`] !== undefined)
  return sent.length ? Object.fromEntries(sent.map((code) => [code, body[`${name}.${code}`]])) : undefined
}

/** The reminder in a language, with its days filled in: the admin's text for it, else the built-in one. */
export function reminderTextFor(settings: Pick<Settings, 'reminderTexts' | 'reminderBeforeCloseDays'>, locale: string): string {
  const days = settings.reminderBeforeCloseDays
  const own = settings.reminderTexts[locale]?.trim()
  return own ? own.replaceAll('{days}', String(days)) : translate(locale, 'mail.reminder.defaultText', { days })
}

/** The closing note in a language: the admin's text for it, else the built-in one. */
export function closingTextFor(settings: Pick<Settings, 'closingTexts'>, locale: string): string {
  return settings.closingTexts[locale]?.trim() || translate(locale, 'mail.closing.defaultText')
}

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
