/**
 * Calendar arithmetic on folder-local days ("YYYY-MM-DD"), with no time zone involved, and the
 * cover of a range by whole months, whole weeks and single days: durations are kept at each of
 * these grains, so that a long range reads a few dozen months and weeks instead of every day.
 */

const DAY_MS = 86_400_000

/** "YYYY-MM-DD" plus or minus days. */
export function shiftDay(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10)
}

export const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS)

/** The Monday of a day's week (ISO weeks). */
export function weekOf(day: string): string {
  const weekday = (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7
  return weekday === 0 ? day : shiftDay(day, -weekday)
}

/** The first day of a day's month. */
export const monthOf = (day: string) => `${day.slice(0, 8)}01`

/** The first day of the next month. */
function nextMonth(month: string): string {
  const y = Number(month.slice(0, 4))
  const m = Number(month.slice(5, 7))
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`
}

/** Rows of a grain, each named by its first day. */
export interface RangeCover {
  months: string[]
  weeks: string[]
  days: string[]
}

/** Whole weeks of [from, to] (both inclusive), and the days left at either end. */
function coverByWeeks(from: string, to: string, out: RangeCover) {
  if (from > to) return
  let day = from
  for (; day <= to && weekOf(day) !== day; day = shiftDay(day, 1)) out.days.push(day)
  while (day <= to && shiftDay(day, 6) <= to) {
    out.weeks.push(day)
    day = shiftDay(day, 7)
  }
  for (; day <= to; day = shiftDay(day, 1)) out.days.push(day)
}

/**
 * [from, to] (both inclusive) as the whole months inside it, then the whole weeks inside what is
 * left at either end, then the days left: every day of the range in exactly one of them.
 */
export function coverOf(from: string, to: string): RangeCover {
  const out: RangeCover = { months: [], weeks: [], days: [] }
  if (from > to) return out
  const firstMonth = monthOf(from) === from ? from : nextMonth(monthOf(from))
  let month = firstMonth
  while (shiftDay(nextMonth(month), -1) <= to) {
    out.months.push(month)
    month = nextMonth(month)
  }
  if (!out.months.length) {
    coverByWeeks(from, to, out)
    return out
  }
  coverByWeeks(from, shiftDay(firstMonth, -1), out)
  coverByWeeks(month, to, out)
  return out
}
