import { z } from 'zod'
import { schemaMessage } from '../../i18n/issueMessages.ts'

/**
 * A folder's business hours: weekly opening intervals per weekday, in the folder's time zone, and
 * holidays (whole local days closed). Stored as JSON in `Folder.businessHours`; null there means
 * round the clock. Response and resolution times "in business hours" count only the instants whose
 * local wall time falls inside an opening interval of a day that is not a holiday, so a day of 23
 * or 25 hours (daylight saving) counts what its clocks showed.
 *
 * Shape: { week: { mon: [["09:00", "17:30"]], ..., sun: [] }, holidays: ["2026-12-25"] }.
 * Times are "HH:MM"; a closing time of "24:00" means midnight at the end of the day. An interval
 * never crosses midnight: a night shift is two intervals on two days.
 */

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const
export type Weekday = (typeof WEEKDAYS)[number]

const MAX_INTERVALS_PER_DAY = 6
const MAX_HOLIDAYS = 1_000
const TIME = /^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/

const DAY_MS = 86_400_000
const MINUTE_MS = 60_000
const HOUR_MS = 3_600_000

const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5))

/** The days since 1970-01-01 of a real calendar date "YYYY-MM-DD", else null. */
function dayNumberOf(date: string): number | null {
  const m = DATE.exec(date)
  if (!m) return null
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const ms = Date.UTC(y, mo - 1, d)
  const back = new Date(ms)
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null
  return ms / DAY_MS
}

const interval = z.tuple([z.string(), z.string()])
const day = z.array(interval).max(MAX_INTERVALS_PER_DAY, schemaMessage('validation.businessHours.tooManyIntervals', { max: MAX_INTERVALS_PER_DAY }))

/**
 * The stored shape, checked: times that exist, each interval closing after it opens, no overlap
 * within a day, real dates for holidays, and at least one opening somewhere in the week. The
 * output is canonical: intervals in order, holidays sorted without repeats.
 */
export const businessHoursSchema = z
  .object({
    week: z.object(Object.fromEntries(WEEKDAYS.map((d) => [d, day])) as Record<Weekday, typeof day>),
    holidays: z
      .array(z.string())
      .max(MAX_HOLIDAYS, schemaMessage('validation.businessHours.tooManyHolidays', { max: MAX_HOLIDAYS }))
      .default([]),
  })
  .superRefine((value, issue) => {
    let open = 0
    for (const d of WEEKDAYS) {
      const intervals = value.week[d]
      open += intervals.length
      let wellFormed = true
      const timeProblem = (value: string) =>
        value.trim() === ''
          ? schemaMessage('validation.businessHours.missingTime', { day: d })
          : schemaMessage('validation.businessHours.time', { value, day: d })
      intervals.forEach(([from, to], i) => {
        if (!TIME.test(from) || from === '24:00') {
          wellFormed = false
          issue.addIssue({ code: 'custom', path: ['week', d, i, 0], message: timeProblem(from) })
        }
        if (!TIME.test(to)) {
          wellFormed = false
          issue.addIssue({ code: 'custom', path: ['week', d, i, 1], message: timeProblem(to) })
        }
        if (wellFormed && minutesOf(to) <= minutesOf(from)) {
          wellFormed = false
          issue.addIssue({
            code: 'custom',
            path: ['week', d, i, 1],
            message: schemaMessage('validation.businessHours.closeAfterOpen', { day: d, open: from, close: to }),
          })
        }
      })
      if (!wellFormed) continue
      const sorted = [...intervals].sort((a, b) => minutesOf(a[0]) - minutesOf(b[0]))
      for (let i = 1; i < sorted.length; i++) {
        if (minutesOf(sorted[i]![0]) < minutesOf(sorted[i - 1]![1])) {
          issue.addIssue({ code: 'custom', path: ['week', d], message: schemaMessage('validation.businessHours.overlap', { day: d }) })
          break
        }
      }
    }
    value.holidays.forEach((date, i) => {
      if (dayNumberOf(date) === null)
        issue.addIssue({ code: 'custom', path: ['holidays', i], message: schemaMessage('validation.businessHours.date', { value: date }) })
    })
    if (open === 0) issue.addIssue({ code: 'custom', path: [], message: schemaMessage('validation.businessHours.neverOpen') })
  })
  .transform((value) => ({
    week: Object.fromEntries(WEEKDAYS.map((d) => [d, [...value.week[d]].sort((a, b) => minutesOf(a[0]) - minutesOf(b[0]))])) as Record<
      Weekday,
      [string, string][]
    >,
    holidays: [...new Set(value.holidays)].sort(),
  }))

export type BusinessHours = z.output<typeof businessHoursSchema>

/** Open every day from midnight to midnight. */
export const ROUND_THE_CLOCK_WEEK: Record<Weekday, [string, string][]> = Object.fromEntries(WEEKDAYS.map((d) => [d, [['00:00', '24:00']]])) as Record<
  Weekday,
  [string, string][]
>

/** Whether a week is open all the time (round the clock, maybe with holidays). */
export function isRoundTheClock(week: Record<Weekday, [string, string][]>): boolean {
  return WEEKDAYS.every((d) => week[d].length === 1 && week[d][0]![0] === '00:00' && week[d][0]![1] === '24:00')
}

/** What is stored: null for round the clock without holidays, the checked hours otherwise. */
export function storedBusinessHours(hours: BusinessHours | null): BusinessHours | null {
  if (hours === null) return null
  return isRoundTheClock(hours.week) && hours.holidays.length === 0 ? null : hours
}

/** A folder's calendar, ready for counting. Built once per folder and reused: it caches per zone. */
export interface BusinessCalendar {
  readonly hours: BusinessHours
  /** Per weekday (0 Monday … 6 Sunday): opening intervals as [from, to) milliseconds after local midnight. */
  readonly week: readonly (readonly number[])[]
  /** Local dates closed, as days since 1970-01-01. */
  readonly holidays: ReadonlySet<number>
  /** Per time zone, per block of local days: the UTC intervals open each day and their running totals. */
  readonly cache: Map<string, CalendarZoneCache>
}

interface CalendarZoneCache {
  blocks: Map<number, Block>
}

/**
 * The stored JSON (or null: round the clock) as a calendar; null stays null. Stored hours were
 * checked when saved, so a value that does not pass is a fault and throws.
 */
export function parseBusinessHours(stored: unknown): BusinessCalendar | null {
  if (stored === null || stored === undefined) return null
  const parsed = businessHoursSchema.safeParse(stored)
  if (!parsed.success) throw new Error(`Stored business hours do not pass their checks: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`)
  const hours = parsed.data
  return {
    hours,
    week: WEEKDAYS.map((d) => hours.week[d].flatMap(([from, to]) => [minutesOf(from) * MINUTE_MS, minutesOf(to) * MINUTE_MS])),
    holidays: new Set(hours.holidays.map((h) => dayNumberOf(h)!)),
    cache: new Map(),
  }
}

// --- Time zones: offsets from a table of transitions built once per zone and year -------------

/** From `at` (inclusive, UTC ms) the zone's clocks read UTC + offset, until the next segment. */
interface Segment {
  at: number
  offset: number
}

interface Zone {
  name: string
  format: Intl.DateTimeFormat
  /** Per UTC year: the segment in force at its start, then every change during the year. */
  years: Map<number, Segment[]>
  /** The last two segments looked up, with their ends: look-ups mostly land in one of them. */
  last: { from: number; to: number; offset: number }
  before: { from: number; to: number; offset: number }
  dayKeys: Map<number, string>
}

const zones = new Map<string, Zone>()

function zoneOf(name: string): Zone {
  let zone = zones.get(name)
  if (!zone) {
    const format = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    })
    zone = { name, format, years: new Map(), last: { from: 0, to: -1, offset: 0 }, before: { from: 0, to: -1, offset: 0 }, dayKeys: new Map() }
    zones.set(name, zone)
  }
  return zone
}

/** The zone's offset at an instant, asked of Intl (to the second; the dear way). */
function intlOffset(zone: Zone, at: number): number {
  const seconds = Math.floor(at / 1000) * 1000
  const parts: Record<string, string> = {}
  for (const p of zone.format.formatToParts(seconds)) parts[p.type] = p.value
  let year = Number(parts.year)
  if (parts.era === 'BC' || parts.era === 'B') year = 1 - year
  const wall = new Date(0)
  wall.setUTCFullYear(year, Number(parts.month) - 1, Number(parts.day))
  wall.setUTCHours(Number(parts.hour), Number(parts.minute), Number(parts.second), 0)
  return wall.getTime() - seconds
}

/** Sampled every 12 hours: the zones' changes are months apart. */
const SAMPLE_MS = 12 * HOUR_MS

function segmentsOfYear(zone: Zone, year: number): Segment[] {
  let segments = zone.years.get(year)
  if (segments) return segments
  const start = Date.UTC(year, 0, 1)
  const end = Date.UTC(year + 1, 0, 1)
  segments = [{ at: start, offset: intlOffset(zone, start) }]
  let t = start
  let offset = segments[0]!.offset
  while (t < end) {
    const next = Math.min(t + SAMPLE_MS, end)
    const after = intlOffset(zone, next)
    if (after !== offset) {
      // The first second in (t, next] with the new offset.
      let lo = t
      let hi = next
      while (hi - lo > 1000) {
        const mid = lo + Math.floor((hi - lo) / 2000) * 1000
        if (intlOffset(zone, mid) === offset) lo = mid
        else hi = mid
      }
      if (hi < end) segments.push({ at: hi, offset: after })
      offset = after
    }
    t = next
  }
  zone.years.set(year, segments)
  return segments
}

const yearOf = (at: number) => new Date(at).getUTCFullYear()

/** The zone's offset at an instant (UTC ms), from the transition table. */
function offsetAt(zone: Zone, at: number): number {
  const last = zone.last
  if (at >= last.from && at < last.to) return last.offset
  const before = zone.before
  if (at >= before.from && at < before.to) {
    zone.before = last
    zone.last = before
    return before.offset
  }
  const year = yearOf(at)
  const segments = segmentsOfYear(zone, year)
  let i = segments.length - 1
  while (i > 0 && segments[i]!.at > at) i--
  const from = segments[i]!.at
  const to = i + 1 < segments.length ? segments[i + 1]!.at : Date.UTC(year + 1, 0, 1)
  zone.before = last
  zone.last = { from, to, offset: segments[i]!.offset }
  return segments[i]!.offset
}

/** The zone's offset from UTC at an instant (UTC ms), in ms: what its clocks add to UTC. */
export function utcOffsetAt(at: number, timeZone: string): number {
  return offsetAt(zoneOf(timeZone), at)
}

/** Largest offset any zone has had from UTC is under 15 hours. */
const MAX_OFFSET_MS = 15 * HOUR_MS

/**
 * Calls `each(from, to)` for every stretch of instants whose local wall time lies in
 * [wallFrom, wallTo) (wall times written as if they were UTC ms): one stretch, or two around a
 * change of offset; none for wall times the clocks skipped.
 */
function instantsWithWallTime(zone: Zone, wallFrom: number, wallTo: number, each: (from: number, to: number) => void) {
  const lo = wallFrom - MAX_OFFSET_MS
  const hi = wallTo + MAX_OFFSET_MS
  for (let year = yearOf(lo); year <= yearOf(hi); year++) {
    const segments = segmentsOfYear(zone, year)
    const yearEnd = Date.UTC(year + 1, 0, 1)
    for (let i = 0; i < segments.length; i++) {
      const s = segments[i]!
      const end = i + 1 < segments.length ? segments[i + 1]!.at : yearEnd
      if (end <= lo || s.at >= hi) continue
      const from = Math.max(s.at, wallFrom - s.offset)
      const to = Math.min(end, wallTo - s.offset)
      if (to > from) each(from, to)
    }
  }
}

/** The local date of an instant as days since 1970-01-01. */
function localDayNumber(zone: Zone, at: number): number {
  return Math.floor((at + offsetAt(zone, at)) / DAY_MS)
}

function dayKey(zone: Zone, dayNumber: number): string {
  let key = zone.dayKeys.get(dayNumber)
  if (key === undefined) {
    if (zone.dayKeys.size >= 100_000) zone.dayKeys.clear()
    key = new Date(dayNumber * DAY_MS).toISOString().slice(0, 10)
    zone.dayKeys.set(dayNumber, key)
  }
  return key
}

/** "YYYY-MM-DD": the date the zone's clocks showed at that instant. */
export function localDay(at: Date, timeZone: string): string {
  const zone = zoneOf(timeZone)
  return dayKey(zone, localDayNumber(zone, at.getTime()))
}

/**
 * The start of the local hour holding `at`: when the zone's clocks last showed a whole hour (in a
 * zone half an hour off UTC, at :30 UTC), or the change of offset if one came since.
 */
export function localHourStart(at: Date, timeZone: string): Date {
  const zone = zoneOf(timeZone)
  const t = at.getTime()
  const offset = offsetAt(zone, t)
  const wall = t + offset
  const start = t - (((wall % HOUR_MS) + HOUR_MS) % HOUR_MS)
  if (offsetAt(zone, start) === offset) return new Date(start)
  // The offset changed within the hour: the hour began with the change.
  offsetAt(zone, t)
  return new Date(zone.last.from)
}

// --- Business seconds ------------------------------------------------------------------------

const BLOCK_DAYS = 32
const CACHE_BOUND = 20_000
const NO_INTERVALS = new Float64Array(0)

/** A run of local days: each day's open UTC intervals [from, to, from, to …] and running totals [0, day0, day0+day1, …]. */
interface Block {
  days: Float64Array[]
  totals: Float64Array
}

function zoneCache(calendar: BusinessCalendar, timeZone: string): CalendarZoneCache {
  let cache = calendar.cache.get(timeZone)
  if (!cache) {
    cache = { blocks: new Map() }
    calendar.cache.set(timeZone, cache)
  }
  return cache
}

function openIntervals(calendar: BusinessCalendar, zone: Zone, dayNumber: number): Float64Array {
  if (calendar.holidays.has(dayNumber)) return NO_INTERVALS
  const opening = calendar.week[(((dayNumber + 3) % 7) + 7) % 7]!
  if (opening.length === 0) return NO_INTERVALS
  const out: number[] = []
  const midnight = dayNumber * DAY_MS
  for (let i = 0; i < opening.length; i += 2) {
    instantsWithWallTime(zone, midnight + opening[i]!, midnight + opening[i + 1]!, (from, to) => out.push(from, to))
  }
  return Float64Array.from(out)
}

function openWithin(intervals: Float64Array, from: number, to: number): number {
  let total = 0
  for (let i = 0; i < intervals.length; i += 2) {
    const a = intervals[i]! > from ? intervals[i]! : from
    const b = intervals[i + 1]! < to ? intervals[i + 1]! : to
    if (b > a) total += b - a
  }
  return total
}

function blockOf(calendar: BusinessCalendar, zone: Zone, cache: CalendarZoneCache, index: number): Block {
  let block = cache.blocks.get(index)
  if (block) return block
  const days: Float64Array[] = []
  const totals = new Float64Array(BLOCK_DAYS + 1)
  for (let i = 0; i < BLOCK_DAYS; i++) {
    const intervals = openIntervals(calendar, zone, index * BLOCK_DAYS + i)
    days.push(intervals)
    totals[i + 1] = totals[i]! + openWithin(intervals, -Infinity, Infinity)
  }
  block = { days, totals }
  if (cache.blocks.size >= CACHE_BOUND) cache.blocks.clear()
  cache.blocks.set(index, block)
  return block
}

/** Open milliseconds within [from, to) of the local days [first, end), each cut to [from, to). */
function openOnDays(calendar: BusinessCalendar, zone: Zone, cache: CalendarZoneCache, first: number, end: number, from: number, to: number): number {
  let total = 0
  let block: Block | null = null
  let base = 0
  for (let d = first; d < end; d++) {
    if (block === null || d - base >= BLOCK_DAYS) {
      const index = Math.floor(d / BLOCK_DAYS)
      block = blockOf(calendar, zone, cache, index)
      base = index * BLOCK_DAYS
    }
    total += openWithin(block.days[d - base]!, from, to)
  }
  return total
}

/** Open milliseconds of the local days [first, end), whole. */
function wholeDays(calendar: BusinessCalendar, zone: Zone, cache: CalendarZoneCache, first: number, end: number): number {
  let total = 0
  let d = first
  while (d < end) {
    const index = Math.floor(d / BLOCK_DAYS)
    const base = index * BLOCK_DAYS
    const upTo = Math.min(end, base + BLOCK_DAYS)
    const totals = blockOf(calendar, zone, cache, index).totals
    total += totals[upTo - base]! - totals[d - base]!
    d = upTo
  }
  return total
}

/**
 * Seconds from `from` to `to` that fall in opening hours and not on holidays, in the calendar's
 * time zone (fractions for milliseconds, as (to - from) / 1000 would have). Null calendar: round
 * the clock, the plain seconds. `from` after `to`: 0.
 */
export function businessSeconds(from: Date, to: Date, calendar: BusinessCalendar | null, timeZone: string): number {
  const a = from.getTime()
  const b = to.getTime()
  if (!(b > a)) return 0
  if (calendar === null) return (b - a) / 1000
  const zone = zoneOf(timeZone)
  const cache = zoneCache(calendar, timeZone)
  const firstDay = localDayNumber(zone, a)
  const lastDay = localDayNumber(zone, b)
  // A change of offset can put an instant's local date a day before the date of an earlier one:
  // the days next to either end are cut to [a, b]; those between lie wholly inside.
  let total = 0
  const wholeFrom = firstDay + 2
  const wholeTo = lastDay - 1
  if (wholeTo > wholeFrom) {
    total += openOnDays(calendar, zone, cache, firstDay - 1, wholeFrom, a, b)
    total += wholeDays(calendar, zone, cache, wholeFrom, wholeTo)
    total += openOnDays(calendar, zone, cache, wholeTo, lastDay + 2, a, b)
  } else {
    total += openOnDays(calendar, zone, cache, firstDay - 1, lastDay + 2, a, b)
  }
  return total / 1000
}

/**
 * The opening hours of a week in a few language-free words, for the audit log: days with the same
 * hours grouped, closed days left out ("mon–fri 09:00–17:30, sat 10:00–12:00"). Null: round the clock.
 */
export function weekSummary(hours: BusinessHours | null): string {
  const week = hours?.week ?? ROUND_THE_CLOCK_WEEK
  const runs: string[] = []
  let i = 0
  while (i < WEEKDAYS.length) {
    const same = JSON.stringify(week[WEEKDAYS[i]!])
    let j = i
    while (j + 1 < WEEKDAYS.length && JSON.stringify(week[WEEKDAYS[j + 1]!]) === same) j++
    const intervals = week[WEEKDAYS[i]!]
    if (intervals.length > 0) runs.push(`${WEEKDAYS[i]}${j > i ? `–${WEEKDAYS[j]}` : ''} ${intervals.map(([from, to]) => `${from}–${to}`).join(' ')}`)
    i = j + 1
  }
  return runs.join(', ')
}
