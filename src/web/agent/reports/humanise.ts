import type { Translate } from '../../../i18n/translate.ts'

/** Number formats the reports need beyond the shared ones, built once per language. */
interface ReportFormats {
  /** Whole counts, as the tables show them. */
  integer: Intl.NumberFormat
  decimal: Intl.NumberFormat
  percent: Intl.NumberFormat
  signed: Intl.NumberFormat
  units: Record<'second' | 'minute' | 'hour' | 'day', Intl.NumberFormat>
  list: Intl.ListFormat
  dayMonthYear: Intl.DateTimeFormat
  weekdayShort: Intl.DateTimeFormat
  weekdayLong: Intl.DateTimeFormat
  /** An hour of the day: "3 PM" / "15 h". */
  hour: Intl.DateTimeFormat
  /** A folder-local day as "Dec 3" / "3 déc.", and with its year: remembered, as every chart and table names each day again. */
  day(day: string): string
  dayWithYear(day: string): string
}

/** Intl is the dear part of a label: a page names each of its days several times, and the next page the same days. */
function remembered(format: (day: string) => string): (day: string) => string {
  const known = new Map<string, string>()
  return (day) => {
    let text = known.get(day)
    if (text === undefined) {
      if (known.size >= 5_000) known.clear()
      text = format(day)
      known.set(day, text)
    }
    return text
  }
}

const cache = new Map<string, ReportFormats>()

export function reportFormats(locale: string): ReportFormats {
  let found = cache.get(locale)
  if (!found) {
    const unit = (u: string) => new Intl.NumberFormat(locale, { style: 'unit', unit: u, unitDisplay: 'long', maximumFractionDigits: 0 })
    // Days are dates without a time: read and written in UTC so that no zone moves them.
    const date = (options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(locale, { ...options, timeZone: 'UTC' })
    const dayMonth = date({ day: 'numeric', month: 'short' })
    const dayMonthYear = date({ day: 'numeric', month: 'short', year: 'numeric' })
    found = {
      integer: new Intl.NumberFormat(locale),
      decimal: new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }),
      percent: new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0, signDisplay: 'exceptZero' }),
      signed: new Intl.NumberFormat(locale, { maximumFractionDigits: 0, signDisplay: 'exceptZero' }),
      units: { second: unit('second'), minute: unit('minute'), hour: unit('hour'), day: unit('day') },
      list: new Intl.ListFormat(locale, { style: 'long', type: 'unit' }),
      dayMonthYear,
      weekdayShort: date({ weekday: 'short' }),
      weekdayLong: date({ weekday: 'long' }),
      hour: date({ hour: 'numeric' }),
      day: remembered((day) => dayMonth.format(dayDate(day))),
      dayWithYear: remembered((day) => dayMonthYear.format(dayDate(day))),
    }
    cache.set(locale, found)
  }
  return found
}

/** A folder-local day ("2026-12-03") as a Date at its UTC midnight, for the formats above. */
export const dayDate = (day: string) => new Date(`${day}T00:00:00Z`)

/** A duration split as people say it: seconds under a minute, minutes under an hour, hours and minutes under a day, then days and hours. */
function split(seconds: number): { unit: 'seconds' | 'minutes' | 'hours' | 'days'; values: Record<string, number> } {
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) return { unit: 'seconds', values: { seconds: s } }
  const totalMinutes = Math.round(s / 60)
  if (totalMinutes < 60) return { unit: 'minutes', values: { minutes: totalMinutes } }
  if (totalMinutes < 24 * 60) return { unit: 'hours', values: { hours: Math.floor(totalMinutes / 60), minutes: totalMinutes % 60 } }
  const totalHours = Math.round(s / 3600)
  return { unit: 'days', values: { days: Math.floor(totalHours / 24), hours: totalHours % 24 } }
}

/** "2h 05m" / "2 h 05 min", or a dash when there is none. */
export function shortDuration(t: Translate, seconds: number | null): string {
  if (seconds === null) return t('reports.none')
  const { unit, values } = split(seconds)
  const padded = { ...values, ...(unit === 'hours' ? { minutes: String(values.minutes).padStart(2, '0') } : {}) }
  return t(`reports.duration.${unit}`, padded)
}

/** The same in words, for screen readers and chart summaries: "2 hours, 5 minutes". */
export function longDuration(locale: string, t: Translate, seconds: number | null): string {
  if (seconds === null) return t('reports.noFigure')
  const { units, list } = reportFormats(locale)
  const { values } = split(seconds)
  const parts = (['days', 'hours', 'minutes', 'seconds'] as const)
    .filter((name) => values[name] !== undefined && (values[name] !== 0 || Object.keys(values).length === 1))
    .map((name) => units[name.slice(0, -1) as 'second'].format(values[name]!))
  return list.format(parts)
}

export type Tone = 'good' | 'bad' | 'neutral'

export interface Change {
  direction: 'up' | 'down' | 'same'
  /** "+12 %", "−3 pts" */
  text: string
  /** The sentence a screen reader hears. */
  label: string
  tone: Tone
}

/**
 * How a figure moved from the previous period: a percentage of the previous one (or points for a
 * score). Null when there is nothing to compare with. `better` says which way is good news.
 */
export function changeOf(
  locale: string,
  t: Translate,
  current: number | null,
  previous: number | null,
  options: { better?: 'up' | 'down' | null; points?: boolean } = {},
): Change | null {
  if (current === null || previous === null) return null
  const { percent, signed } = reportFormats(locale)
  let text: string
  let amount: number
  if (options.points) {
    amount = Math.round(current - previous)
    text = t('reports.change.points', { points: signed.format(amount) })
  } else {
    if (previous === 0) return null
    const ratio = (current - previous) / previous
    amount = Math.round(ratio * 100)
    text = percent.format(ratio)
  }
  const direction = amount > 0 ? 'up' : amount < 0 ? 'down' : 'same'
  const tone: Tone = !options.better || direction === 'same' ? 'neutral' : direction === options.better ? 'good' : 'bad'
  return { direction, text, tone, label: t(`reports.change.${direction}`, { change: text.replace(/^[+\-−]/, '') }) }
}
