import { isRoundTheClock, ROUND_THE_CLOCK_WEEK, WEEKDAYS, type Weekday } from '../../../domain/reports/businessHours.ts'

/**
 * The business hours fieldset of a folder's page: one opening and one closing time per weekday
 * (or closed), or round the clock; holidays one date per line. A time input cannot show 24:00, so
 * a closing time of 00:00 stands for midnight at the end of the day.
 */

const capital = (day: Weekday) => day.charAt(0).toUpperCase() + day.slice(1)
export const openField = (day: Weekday) => `open${capital(day)}`
export const closeField = (day: Weekday) => `close${capital(day)}`
export const closedField = (day: Weekday) => `closed${capital(day)}`

/** What a new folder's weekly hours start from: Monday to Friday, 09:00 to 17:00. */
const TEMPLATE: Record<Weekday, [string, string][]> = Object.fromEntries(
  WEEKDAYS.map((d) => [d, d === 'sat' || d === 'sun' ? [] : [['09:00', '17:00']]]),
) as Record<Weekday, [string, string][]>

type FormValues = Record<string, string | boolean>

interface StoredHours {
  week: Record<Weekday, [string, string][]>
  holidays: string[]
}

function isStoredHours(value: unknown): value is StoredHours {
  const v = value as StoredHours | null
  return typeof v === 'object' && v !== null && typeof v.week === 'object' && v.week !== null && WEEKDAYS.every((d) => Array.isArray(v.week[d]))
}

/** The form's fields for what a folder has stored (null: round the clock). */
export function businessHoursValues(stored: unknown): FormValues {
  const hours = isStoredHours(stored) ? stored : null
  const always = hours === null || isRoundTheClock(hours.week)
  const week = always ? TEMPLATE : hours.week
  const values: FormValues = { hoursMode: always ? 'always' : 'weekly', holidays: (hours?.holidays ?? []).join('\n') }
  for (const d of WEEKDAYS) {
    const intervals = week[d]
    values[openField(d)] = intervals[0]?.[0] ?? ''
    const close = intervals.at(-1)?.[1] ?? ''
    values[closeField(d)] = close === '24:00' ? '00:00' : close
    values[closedField(d)] = intervals.length === 0
  }
  return values
}

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '')

/** The fields as typed, to show them again. Undefined when the form had no business hours. */
export function businessHoursTyped(body: Record<string, unknown> | undefined): FormValues | undefined {
  if (body?.hoursMode === undefined) return undefined
  const values: FormValues = {
    hoursMode: text(body.hoursMode) === 'always' ? 'always' : 'weekly',
    holidays: typeof body.holidays === 'string' ? body.holidays : '',
  }
  for (const d of WEEKDAYS) {
    values[openField(d)] = text(body[openField(d)])
    values[closeField(d)] = text(body[closeField(d)])
    values[closedField(d)] = body[closedField(d)] === 'on'
  }
  return values
}

/** The command's input from the typed fields: the week and holidays, unchecked (the folder command checks them). */
export function businessHoursInput(typed: FormValues): StoredHours {
  const holidays = String(typed.holidays)
    .split(/[\s,;]+/)
    .filter((line) => line !== '')
  if (typed.hoursMode === 'always') return { week: ROUND_THE_CLOCK_WEEK, holidays }
  const week = Object.fromEntries(
    WEEKDAYS.map((d) => {
      if (typed[closedField(d)] === true) return [d, []]
      const close = String(typed[closeField(d)])
      return [d, [[String(typed[openField(d)]), close === '00:00' ? '24:00' : close]]]
    }),
  ) as Record<Weekday, [string, string][]>
  return { week, holidays }
}

/**
 * The form field a message of the folder command belongs to: "businessHours.week.mon.0.0" is
 * Monday's opening time, "….1" its closing time, "businessHours.holidays.3" the holidays.
 */
export function businessHoursField(name: string): string | null {
  if (name === 'businessHours') return 'hoursMode'
  if (name.startsWith('businessHours.holidays')) return 'holidays'
  const m = /^businessHours\.week\.(mon|tue|wed|thu|fri|sat|sun)(?:\.\d+\.(0|1))?/.exec(name)
  if (m) return m[2] === '0' ? openField(m[1] as Weekday) : closeField(m[1] as Weekday)
  return name.startsWith('businessHours') ? 'hoursMode' : null
}
