import { z } from 'zod'
import type { ReportFilters } from '../../../domain/reports/types.ts'
import type { Message } from '../../../i18n/translate.ts'
import { schemaMessage, decodeMessage } from '../../../i18n/issueMessages.ts'

/** The ready-made ranges, each ending today. */
export const PERIODS = ['7d', '30d', '90d', '12m'] as const
export type Period = (typeof PERIODS)[number]

/** The range a report covers when nothing is asked. */
export const DEFAULT_PERIOD: Period = '30d'

/** A report covers at most two years (731 days: two years with a 29 February). */
export const MAX_RANGE_DAYS = 731

/** Up to this many days the bars are days by default, beyond it weeks. */
const DAILY_UP_TO_DAYS = 92

const DAY_MS = 86_400_000

/** What the filter form shows, as typed (so a refused value is shown back to be corrected). */
export interface FilterForm {
  from: string
  to: string
  folder: string
  agent: string
  tag: string
  businessHours: boolean
  interval: 'day' | 'week'
}

/** What the menus of the form offer: only what the viewer may read. */
export interface FilterChoices {
  folders: { id: number; name: string }[]
  agents: { id: number; name: string }[]
  tags: { id: number; name: string }[]
}

export type ParsedFilters =
  { ok: true; filters: ReportFilters; form: FilterForm; period: Period | null } | { ok: false; errors: Record<string, Message>; form: FilterForm }

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/

/** A "YYYY-MM-DD" that is a real day (not 2026-02-30). */
export function isIsoDate(text: string): boolean {
  if (!ISO_DATE.test(text)) return false
  const at = new Date(`${text}T00:00:00Z`)
  return !Number.isNaN(at.getTime()) && at.toISOString().slice(0, 10) === text
}

export function shiftDay(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10)
}

/** Days from `from` to `to`, both counted. */
export function daysIn(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1
}

/** Today's date where the viewer is. */
export function todayIn(timeZone: string, now: Date): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now)
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? ''
  return `${part('year')}-${part('month')}-${part('day')}`
}

/** The first and last day of a ready-made range ending `today`. */
export function periodRange(period: Period, today: string): { from: string; to: string } {
  if (period === '12m') {
    const [y, m, d] = today.split('-').map(Number) as [number, number, number]
    // The same day a year before, then the day after it: twelve whole months ending today.
    const lastDayOfMonth = new Date(Date.UTC(y - 1, m, 0)).getUTCDate()
    const yearBefore = new Date(Date.UTC(y - 1, m - 1, Math.min(d, lastDayOfMonth)))
    return { from: shiftDay(yearBefore.toISOString().slice(0, 10), 1), to: today }
  }
  const days = Number(period.slice(0, -1))
  return { from: shiftDay(today, -(days - 1)), to: today }
}

/** The ready-made range a range is, if any. */
export function periodOf(from: string, to: string, today: string): Period | null {
  return (
    PERIODS.find((p) => {
      const range = periodRange(p, today)
      return range.from === from && range.to === to
    }) ?? null
  )
}

/** A query value as one string: repeated parameters (?folder=1&folder=2) are not a choice. */
const single = z.preprocess((v) => (Array.isArray(v) ? { repeated: true } : v), z.string().trim().max(40).optional())

const day = (message: string) => single.refine((v) => v === undefined || v === '' || isIsoDate(v), { message })

const choice = (message: string) => single.refine((v) => v === undefined || v === '' || /^[1-9]\d{0,9}$/.test(v), { message })

const reportQuery = z.object({
  period: single,
  from: day(schemaMessage('reports.error.date')),
  to: day(schemaMessage('reports.error.date')),
  folder: choice(schemaMessage('reports.error.folder')),
  agent: choice(schemaMessage('reports.error.agent')),
  tag: choice(schemaMessage('reports.error.tag')),
  hours: single,
  interval: single,
})

/**
 * The filters of the reports page from its query string: a range (a ready-made period or two
 * dates, by default the last 30 days where the viewer is), a folder, agent and tag among those the
 * viewer is offered, business hours or round the clock, bars per day or week. Anything refused is
 * said per field; the form shows what was typed.
 */
export function parseReportFilters(query: unknown, context: { today: string; timeZone: string; choices: FilterChoices }): ParsedFilters {
  const { today, timeZone, choices } = context
  const parsed = reportQuery.safeParse(query ?? {})
  const errors: Record<string, Message> = {}
  const raw: Partial<Record<keyof z.infer<typeof reportQuery>, string>> = {}
  if (parsed.success) Object.assign(raw, parsed.data)
  else {
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? '_')
      errors[field] ??= decodeMessage(issue.message, field)
    }
    // What was typed is shown back, refused values included, to be corrected.
    const loose = (query ?? {}) as Record<string, unknown>
    for (const key of Object.keys(reportQuery.shape) as (keyof typeof raw)[]) {
      if (typeof loose[key] === 'string') raw[key] = (loose[key] as string).trim().slice(0, 40)
    }
  }

  const period = PERIODS.find((p) => p === raw.period) ?? null
  const asked = raw.from || raw.to
  const range = asked
    ? { from: raw.from || (raw.to && isIsoDate(raw.to) ? periodRange(DEFAULT_PERIOD, raw.to).from : ''), to: raw.to || today }
    : periodRange(period ?? DEFAULT_PERIOD, today)

  if (!errors.from && !errors.to && isIsoDate(range.from) && isIsoDate(range.to)) {
    if (range.from > range.to) errors.to = { key: 'reports.error.endBeforeStart' }
    else if (daysIn(range.from, range.to) > MAX_RANGE_DAYS) errors.from = { key: 'reports.error.tooLong', values: { max: 2 } }
  }

  const pick = (value: string | undefined, offered: { id: number }[], field: 'folder' | 'agent' | 'tag'): number | null => {
    if (!value || errors[field]) return null
    const id = Number(value)
    // One not offered (not there, or in a folder the viewer may not read) is answered alike.
    if (!offered.some((o) => o.id === id)) errors[field] = { key: `reports.error.${field}` }
    return id
  }
  const folderId = pick(raw.folder, choices.folders, 'folder')
  const agentId = pick(raw.agent, choices.agents, 'agent')
  const tagId = pick(raw.tag, choices.tags, 'tag')

  const days = isIsoDate(range.from) && isIsoDate(range.to) ? daysIn(range.from, range.to) : 0
  const interval = raw.interval === 'day' || raw.interval === 'week' ? raw.interval : days > DAILY_UP_TO_DAYS ? 'week' : 'day'
  const businessHours = raw.hours === 'business'
  const form: FilterForm = {
    from: range.from,
    to: range.to,
    folder: raw.folder ?? '',
    agent: raw.agent ?? '',
    tag: raw.tag ?? '',
    businessHours,
    interval,
  }
  if (Object.keys(errors).length) return { ok: false, errors, form }
  return {
    ok: true,
    form,
    period: periodOf(range.from, range.to, today),
    filters: { from: range.from, to: range.to, folderId, agentId, tagId, businessHours, interval, timeZone },
  }
}

/** The query string of a report's filters (for links: ready-made ranges, CSV files). */
export function filterQuery(
  form: Omit<FilterForm, 'from' | 'to'> & { from?: string; to?: string; period?: Period },
  options: { interval?: boolean } = {},
): string {
  const params = new URLSearchParams()
  if (form.period) params.set('period', form.period)
  else {
    if (form.from) params.set('from', form.from)
    if (form.to) params.set('to', form.to)
  }
  if (form.folder) params.set('folder', form.folder)
  if (form.agent) params.set('agent', form.agent)
  if (form.tag) params.set('tag', form.tag)
  if (form.businessHours) params.set('hours', 'business')
  if (options.interval !== false) params.set('interval', form.interval)
  return params.toString()
}
