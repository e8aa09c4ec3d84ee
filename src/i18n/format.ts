/**
 * Dates, times, relative times and numbers in a reader's language and time zone, through Intl.
 * Formatters are built once per (language, zone): constructing Intl objects is the dear part.
 */
export interface Formats {
  locale: string
  timeZone: string
  /** "3 décembre 2026" / "December 3, 2026" */
  date(at: Date): string
  /** "3 déc. 2026, 14:05" / "Dec 3, 2026, 2:05 PM" */
  dateTime(at: Date): string
  /** The longest form, for hover titles: "jeudi 3 décembre 2026 à 14:05:09 UTC+1". */
  full(at: Date): string
  /** "il y a 3 h" / "3 hr. ago", "dans 2 min" / "in 2 min." */
  relative(at: Date, now?: Date): string
  number(n: number | bigint): string
}

const cache = new Map<string, Formats>()

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['week', 7 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
]

export function isTimeZone(zone: unknown): zone is string {
  if (typeof zone !== 'string' || zone.length === 0 || zone.length > 64) return false
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

/** The zones a picker offers. */
export function timeZones(): string[] {
  const zones = Intl.supportedValuesOf('timeZone')
  return zones.includes('UTC') ? zones : ['UTC', ...zones]
}

/** Remembers a pure function's answers, up to a bound (then it starts afresh). */
function memo<A extends unknown[]>(compute: (...args: A) => string, bound = 10_000): (...args: A) => string {
  const known = new Map<string, string>()
  return (...args) => {
    const key = args.join(' ')
    let text = known.get(key)
    if (text === undefined) {
      if (known.size >= bound) known.clear()
      text = compute(...args)
      known.set(key, text)
    }
    return text
  }
}

export function formats(locale: string, timeZone = 'UTC'): Formats {
  const id = `${locale}\u0000${timeZone}`
  const found = cache.get(id)
  if (found) return found
  const zone = isTimeZone(timeZone) ? timeZone : 'UTC'
  const date = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: zone })
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: zone })
  const full = new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'long', timeZone: zone })
  const relative = new Intl.RelativeTimeFormat(locale, { style: 'short', numeric: 'auto' })
  const number = new Intl.NumberFormat(locale)
  // A list page shows fifty times: the texts are kept by minute and by (unit, amount), which give
  // exactly the same text, so that a page viewed again formats nothing (Intl is the dear part).
  const byMinute = memo((minute: number) => dateTime.format(minute * 60_000))
  const bySecond = memo((second: number) => full.format(second * 1000))
  const byAmount = memo((amount: number, unit: Intl.RelativeTimeFormatUnit) => relative.format(amount, unit))
  const made: Formats = {
    locale,
    timeZone: zone,
    date: (at) => date.format(at),
    dateTime: (at) => byMinute(Math.floor(at.getTime() / 60_000)),
    full: (at) => bySecond(Math.floor(at.getTime() / 1000)),
    relative: (at, now = new Date()) => {
      const delta = at.getTime() - now.getTime()
      for (const [unit, ms] of UNITS) {
        if (Math.abs(delta) >= ms) return byAmount(Math.trunc(delta / ms), unit)
      }
      return byAmount(0, 'second')
    },
    number: (n) => number.format(n),
  }
  cache.set(id, made)
  return made
}
