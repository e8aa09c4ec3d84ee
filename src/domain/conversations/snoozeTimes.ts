/**
 * The moments the Snooze menu offers, in the agent's time zone: "later today" (three hours on),
 * "tomorrow" and "next Monday" at 9:00, and a wall-clock date and time they type. Pure functions
 * of `now` and the zone, so the menu and the command agree and tests can move the clock.
 */

export const SNOOZE_PRESETS = ['laterToday', 'tomorrow', 'nextMonday'] as const
export type SnoozePreset = (typeof SNOOZE_PRESETS)[number]

const HOUR_MS = 60 * 60 * 1000
/** The hour the next working day starts, for "tomorrow" and "next Monday". */
export const MORNING_HOUR = 9

interface WallTime {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number
}

const partsFormats = new Map<string, Intl.DateTimeFormat>()
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']

/** The wall clock of `zone` at an instant. */
function wallTime(at: Date, zone: string): WallTime {
  let format = partsFormats.get(zone)
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    })
    partsFormats.set(zone, format)
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]))
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekday: WEEKDAYS.indexOf(parts.weekday ?? ''),
  }
}

/**
 * The instant a wall-clock time of `zone` names. The zone's offset is read at a first guess and
 * again at the result, which settles it on either side of a daylight-saving change (a time that a
 * change skips comes out an hour later, as clocks show it).
 */
export function zonedInstant(t: Pick<WallTime, 'year' | 'month' | 'day' | 'hour' | 'minute'>, zone: string): Date {
  const asUtc = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute)
  const offsetAt = (ms: number) => {
    const w = wallTime(new Date(ms), zone)
    return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute) - Math.floor(ms / 60_000) * 60_000
  }
  const first = asUtc - offsetAt(asUtc)
  return new Date(asUtc - offsetAt(first))
}

/** A day `days` after the wall date of `now` in `zone`, at hour:00 there. */
function dayAt(now: Date, zone: string, days: number, hour: number): Date {
  const today = wallTime(now, zone)
  const date = new Date(Date.UTC(today.year, today.month - 1, today.day + days))
  return zonedInstant({ year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), hour, minute: 0 }, zone)
}

/**
 * The preset moments as of `now`; "later today" is left out when three hours on is already
 * another day where the agent is.
 */
export function snoozePresets(now: Date, zone: string): Partial<Record<SnoozePreset, Date>> {
  const later = new Date(Math.ceil((now.getTime() + 3 * HOUR_MS) / 60_000) * 60_000)
  const sameDay = wallTime(later, zone).day === wallTime(now, zone).day
  const weekday = wallTime(now, zone).weekday
  // Monday of next week: from a Sunday that is tomorrow, from a Monday a week on.
  const toMonday = (8 - weekday) % 7 || 7
  return {
    ...(sameDay ? { laterToday: later } : {}),
    tomorrow: dayAt(now, zone, 1, MORNING_HOUR),
    nextMonday: dayAt(now, zone, toMonday, MORNING_HOUR),
  }
}

/** A `datetime-local` value ("2026-12-08T09:00") read as a time of `zone`; null when it is not one. */
export function parseLocalDateTime(value: string, zone: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2}(?:\.\d{1,3})?)?$/.exec(value.trim())
  if (!m) return null
  const [year, month, day, hour, minute] = m.slice(1).map(Number) as [number, number, number, number, number]
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59) return null
  const check = new Date(Date.UTC(year, month - 1, day))
  if (check.getUTCMonth() !== month - 1) return null
  return zonedInstant({ year, month, day, hour, minute }, zone)
}

/** An instant as a `datetime-local` value in `zone` (the custom field's min and default). */
export function localDateTimeValue(at: Date, zone: string): string {
  const w = wallTime(at, zone)
  const two = (n: number) => String(n).padStart(2, '0')
  return `${w.year}-${two(w.month)}-${two(w.day)}T${two(w.hour)}:${two(w.minute)}`
}
