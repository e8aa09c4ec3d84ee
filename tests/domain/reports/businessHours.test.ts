import { describe, expect, it } from 'vitest'
import { decodeMessage } from '../../../src/i18n/issueMessages.ts'
import {
  businessHoursSchema,
  businessSeconds,
  localDay,
  localHourStart,
  parseBusinessHours,
  storedBusinessHours,
  ROUND_THE_CLOCK_WEEK,
  WEEKDAYS,
  type BusinessCalendar,
  type Weekday,
} from '../../../src/domain/reports/businessHours.ts'
import { mulberry32 } from '../../../tools/seededRandom.ts'

const HOUR = 3600
const MINUTE_MS = 60_000
const at = (iso: string) => new Date(iso)

type Week = Record<Weekday, [string, string][]>
const week = (days: Partial<Week>): Week => ({ mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [], ...days })
const officeWeek = (from: string, to: string): Week => week({ mon: [[from, to]], tue: [[from, to]], wed: [[from, to]], thu: [[from, to]], fri: [[from, to]] })
const calendar = (w: Week, holidays: string[] = []) => parseBusinessHours({ week: w, holidays })!

/** Monday to Friday, 09:00 to 17:30, closed on Christmas Day 2026. */
const OFFICE = calendar(officeWeek('09:00', '17:30'), ['2026-12-25'])

describe('business seconds in a working week (Europe/Paris)', () => {
  const paris = (from: string, to: string, cal: BusinessCalendar | null = OFFICE) => businessSeconds(at(from), at(to), cal, 'Europe/Paris')

  it('counts the time between two instants of the same working day', () => {
    // Monday 7 December 2026, 10:00 to 12:15 in Paris (UTC+1).
    expect(paris('2026-12-07T09:00:00Z', '2026-12-07T11:15:00Z')).toBe(2.25 * HOUR)
  })

  it('counts nothing before opening, after closing, or on a weekend', () => {
    expect(paris('2026-12-07T05:00:00Z', '2026-12-07T08:00:00Z')).toBe(0)
    expect(paris('2026-12-07T16:30:00Z', '2026-12-07T23:00:00Z')).toBe(0)
    expect(paris('2026-12-05T00:00:00Z', '2026-12-06T22:59:59Z')).toBe(0)
  })

  it('cuts a span at opening and closing time', () => {
    // 08:00 to 18:00 local: the whole opening, 8 h 30.
    expect(paris('2026-12-07T07:00:00Z', '2026-12-07T17:00:00Z')).toBe(8.5 * HOUR)
  })

  it('skips the night between two working days', () => {
    // Monday 16:00 to Tuesday 10:00: 1 h 30 on Monday, 1 h on Tuesday.
    expect(paris('2026-12-07T15:00:00Z', '2026-12-08T09:00:00Z')).toBe(2.5 * HOUR)
  })

  it('skips the weekend', () => {
    // Friday 11 December 16:00 to Monday 14 December 10:00.
    expect(paris('2026-12-11T15:00:00Z', '2026-12-14T09:00:00Z')).toBe(2.5 * HOUR)
  })

  it('skips holidays', () => {
    // Thursday 24 December 16:00 to Monday 28 December 10:00: Christmas Day is closed.
    expect(paris('2026-12-24T15:00:00Z', '2026-12-28T09:00:00Z')).toBe(2.5 * HOUR)
    expect(paris('2026-12-25T08:00:00Z', '2026-12-25T17:00:00Z')).toBe(0)
  })

  it('adds up weeks: four working weeks, less one holiday', () => {
    // Monday 7 December 00:00 to Monday 4 January 00:00 (Paris): 20 working days, one of them Christmas.
    expect(paris('2026-12-06T23:00:00Z', '2027-01-03T23:00:00Z')).toBe(19 * 8.5 * HOUR)
    // A year: 2027 has 261 weekdays.
    expect(paris('2026-12-31T23:00:00Z', '2027-12-31T23:00:00Z')).toBe(261 * 8.5 * HOUR)
  })

  it('takes several intervals a day (a lunch break)', () => {
    const lunch = calendar(
      week({
        mon: [
          ['13:30', '18:00'],
          ['08:00', '12:00'],
        ],
      }),
    )
    expect(lunch.hours.week.mon).toEqual([
      ['08:00', '12:00'],
      ['13:30', '18:00'],
    ])
    // Monday 7 December, 11:00 to 14:00 local: one hour before lunch, half an hour after.
    expect(paris('2026-12-07T10:00:00Z', '2026-12-07T13:00:00Z', lunch)).toBe(1.5 * HOUR)
  })

  it('counts a day open until midnight ("24:00") to its end', () => {
    const late = calendar(week({ fri: [['20:00', '24:00']], sat: [['00:00', '02:00']] }))
    // Friday 11 December 21:00 to Saturday 01:00 local: four hours across midnight.
    expect(paris('2026-12-11T20:00:00Z', '2026-12-12T00:00:00Z', late)).toBe(4 * HOUR)
  })

  it('gives 0 when the end comes before the start, and plain seconds round the clock', () => {
    expect(paris('2026-12-08T09:00:00Z', '2026-12-07T09:00:00Z')).toBe(0)
    expect(paris('2026-12-07T09:00:00Z', '2026-12-07T09:00:00Z')).toBe(0)
    expect(paris('2026-12-05T00:00:00Z', '2026-12-06T00:00:01.500Z', null)).toBe(86_401.5)
    expect(paris('2026-12-06T00:00:00Z', '2026-12-05T00:00:00Z', null)).toBe(0)
  })
})

describe('daylight saving time', () => {
  const everyDay = calendar(ROUND_THE_CLOCK_WEEK)
  const earlyHours = calendar(week({ sun: [['01:00', '04:00']] }))

  it('Europe/Paris, spring forward (29 March 2026): the day has 23 hours, 02:00 to 03:00 never happened', () => {
    // Local midnight Sunday (UTC+1) to local midnight Monday (UTC+2).
    expect(businessSeconds(at('2026-03-28T23:00:00Z'), at('2026-03-29T22:00:00Z'), everyDay, 'Europe/Paris')).toBe(23 * HOUR)
    expect(businessSeconds(at('2026-03-28T23:00:00Z'), at('2026-03-29T22:00:00Z'), earlyHours, 'Europe/Paris')).toBe(2 * HOUR)
  })

  it('Europe/Paris, fall back (25 October 2026): the day has 25 hours, 02:00 to 03:00 happened twice', () => {
    expect(businessSeconds(at('2026-10-24T22:00:00Z'), at('2026-10-25T23:00:00Z'), everyDay, 'Europe/Paris')).toBe(25 * HOUR)
    expect(businessSeconds(at('2026-10-24T22:00:00Z'), at('2026-10-25T23:00:00Z'), earlyHours, 'Europe/Paris')).toBe(4 * HOUR)
    const twice = calendar(week({ sun: [['02:00', '02:30']] }))
    expect(businessSeconds(at('2026-10-24T22:00:00Z'), at('2026-10-25T23:00:00Z'), twice, 'Europe/Paris')).toBe(HOUR)
  })

  it('Europe/Paris: a working week across the change keeps its local opening hours', () => {
    // Friday 27 March 16:00 CET to Monday 30 March 10:00 CEST: 1 h 30 + 1 h.
    expect(businessSeconds(at('2026-03-27T15:00:00Z'), at('2026-03-30T08:00:00Z'), OFFICE, 'Europe/Paris')).toBe(2.5 * HOUR)
    // Monday 30 March opens at 09:00 CEST, 07:00 UTC.
    expect(businessSeconds(at('2026-03-30T06:00:00Z'), at('2026-03-30T07:00:00Z'), OFFICE, 'Europe/Paris')).toBe(0)
    expect(businessSeconds(at('2026-03-30T07:00:00Z'), at('2026-03-30T08:00:00Z'), OFFICE, 'Europe/Paris')).toBe(HOUR)
  })

  it('America/New_York, spring forward (8 March 2026) and fall back (1 November 2026)', () => {
    const ny = (from: string, to: string, cal: BusinessCalendar) => businessSeconds(at(from), at(to), cal, 'America/New_York')
    expect(ny('2026-03-08T05:00:00Z', '2026-03-09T04:00:00Z', everyDay)).toBe(23 * HOUR)
    expect(ny('2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z', everyDay)).toBe(25 * HOUR)
    expect(ny('2026-03-08T05:00:00Z', '2026-03-09T04:00:00Z', earlyHours)).toBe(2 * HOUR)
    expect(ny('2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z', earlyHours)).toBe(4 * HOUR)
    // Friday 6 March 16:00 EST to Monday 9 March 10:00 EDT, open 09:00 to 17:00.
    const nineToFive = calendar(officeWeek('09:00', '17:00'))
    expect(ny('2026-03-06T21:00:00Z', '2026-03-09T14:00:00Z', nineToFive)).toBe(2 * HOUR)
    // Friday 30 October 16:00 EDT to Monday 2 November 10:00 EST.
    expect(ny('2026-10-30T20:00:00Z', '2026-11-02T15:00:00Z', nineToFive)).toBe(2 * HOUR)
  })
})

describe('a zone half an hour off UTC (Asia/Kolkata, UTC+5:30)', () => {
  const cal = calendar(officeWeek('09:00', '17:30'))
  it('opens at 03:30 UTC and closes at 12:00 UTC', () => {
    expect(businessSeconds(at('2026-12-07T03:00:00Z'), at('2026-12-07T04:00:00Z'), cal, 'Asia/Kolkata')).toBe(30 * 60)
    expect(businessSeconds(at('2026-12-07T00:00:00Z'), at('2026-12-07T23:59:00Z'), cal, 'Asia/Kolkata')).toBe(8.5 * HOUR)
    expect(businessSeconds(at('2026-12-07T11:30:00Z'), at('2026-12-08T04:00:00Z'), cal, 'Asia/Kolkata')).toBe(HOUR)
  })
  it('has its days start at 18:30 UTC', () => {
    expect(localDay(at('2026-12-07T18:29:59Z'), 'Asia/Kolkata')).toBe('2026-12-07')
    expect(localDay(at('2026-12-07T18:30:00Z'), 'Asia/Kolkata')).toBe('2026-12-08')
    expect(localHourStart(at('2026-12-07T18:45:00Z'), 'Asia/Kolkata').toISOString()).toBe('2026-12-07T18:30:00.000Z')
    expect(localHourStart(at('2027-01-01T00:10:00Z'), 'Asia/Kolkata').toISOString()).toBe('2026-12-31T23:30:00.000Z')
  })
})

describe('local days and hours', () => {
  it('gives the date the zone’s clocks show', () => {
    expect(localDay(at('2026-12-07T22:59:59Z'), 'Europe/Paris')).toBe('2026-12-07')
    expect(localDay(at('2026-12-07T23:00:00Z'), 'Europe/Paris')).toBe('2026-12-08')
    expect(localDay(at('2026-07-07T21:59:59Z'), 'Europe/Paris')).toBe('2026-07-07')
    expect(localDay(at('2026-07-07T22:00:00Z'), 'Europe/Paris')).toBe('2026-07-08')
    expect(localDay(at('2026-03-08T04:59:59Z'), 'America/New_York')).toBe('2026-03-07')
    expect(localDay(at('2026-03-08T05:00:00Z'), 'America/New_York')).toBe('2026-03-08')
    expect(localDay(at('2026-03-09T03:59:59Z'), 'America/New_York')).toBe('2026-03-08')
    expect(localDay(at('2026-03-09T04:00:00Z'), 'America/New_York')).toBe('2026-03-09')
    expect(localDay(at('2026-01-01T00:00:00Z'), 'UTC')).toBe('2026-01-01')
    expect(localDay(at('2026-12-31T23:59:59Z'), 'Pacific/Kiritimati')).toBe('2027-01-01')
  })

  it('agrees with Intl on random instants in many zones', () => {
    const rand = mulberry32(7)
    const zones = ['Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'America/St_Johns', 'Pacific/Chatham', 'America/Santiago', 'UTC']
    for (let i = 0; i < 2_000; i++) {
      const zone = zones[i % zones.length]!
      const instant = new Date(Date.UTC(2020, 0, 1) + Math.floor(rand() * 10 * 365 * 86_400_000))
      expect(localDay(instant, zone), `${instant.toISOString()} in ${zone}`).toBe(wallClock(instant, zone).date)
    }
  })

  it('starts an hour when the clocks show a whole hour, or at a change of offset', () => {
    expect(localHourStart(at('2026-12-07T09:59:59Z'), 'Europe/Paris').toISOString()).toBe('2026-12-07T09:00:00.000Z')
    // Paris, 29 March 2026: 01:59:59 CET is followed by 03:00 CEST (01:00 UTC).
    expect(localHourStart(at('2026-03-29T01:20:00Z'), 'Europe/Paris').toISOString()).toBe('2026-03-29T01:00:00.000Z')
    // Lord Howe Island moves by half an hour: on 5 April 2026 02:00 (UTC+11) becomes 01:30 (UTC+10:30).
    expect(localHourStart(at('2026-04-04T15:10:00Z'), 'Australia/Lord_Howe').toISOString()).toBe('2026-04-04T15:00:00.000Z')
  })
})

describe('checking the hours a folder keeps', () => {
  const problems = (value: unknown) => {
    const parsed = businessHoursSchema.safeParse(value)
    return parsed.success ? [] : parsed.error.issues.map((i) => ({ path: i.path.join('.'), ...decodeMessage(i.message) }))
  }

  it('refuses times that do not exist, each with its field', () => {
    expect(problems({ week: week({ mon: [['25:00', '17:00']], tue: [['09:00', '9:30']], wed: [['24:00', '24:00']] }) })).toEqual([
      { path: 'week.mon.0.0', key: 'validation.businessHours.time', values: { value: '25:00', day: 'mon' } },
      { path: 'week.tue.0.1', key: 'validation.businessHours.time', values: { value: '9:30', day: 'tue' } },
      { path: 'week.wed.0.0', key: 'validation.businessHours.time', values: { value: '24:00', day: 'wed' } },
    ])
  })

  it('refuses an interval that closes before it opens, and overlapping intervals', () => {
    expect(
      problems({
        week: week({
          mon: [['17:00', '09:00']],
          tue: [
            ['09:00', '13:00'],
            ['12:00', '18:00'],
          ],
        }),
      }),
    ).toEqual([
      { path: 'week.mon.0.1', key: 'validation.businessHours.closeAfterOpen', values: { day: 'mon', open: '17:00', close: '09:00' } },
      { path: 'week.tue', key: 'validation.businessHours.overlap', values: { day: 'tue' } },
    ])
    // Touching intervals are fine.
    expect(
      problems({
        week: week({
          tue: [
            ['09:00', '13:00'],
            ['13:00', '18:00'],
          ],
        }),
      }),
    ).toEqual([])
  })

  it('refuses dates that do not exist and a week that never opens', () => {
    expect(problems({ week: officeWeek('09:00', '17:00'), holidays: ['2026-12-25', '2026-02-30', '25/12/2026'] })).toEqual([
      { path: 'holidays.1', key: 'validation.businessHours.date', values: { value: '2026-02-30' } },
      { path: 'holidays.2', key: 'validation.businessHours.date', values: { value: '25/12/2026' } },
    ])
    expect(problems({ week: week({}) })).toEqual([{ path: '', key: 'validation.businessHours.neverOpen' }])
    expect(problems({ week: { mon: [] } }).length).toBeGreaterThan(0)
  })

  it('keeps holidays sorted without repeats; round the clock without holidays is stored as null', () => {
    const hours = businessHoursSchema.parse({ week: officeWeek('09:00', '17:00'), holidays: ['2027-01-01', '2026-12-25', '2027-01-01'] })
    expect(hours.holidays).toEqual(['2026-12-25', '2027-01-01'])
    expect(storedBusinessHours(businessHoursSchema.parse({ week: ROUND_THE_CLOCK_WEEK }))).toBeNull()
    expect(storedBusinessHours(businessHoursSchema.parse({ week: ROUND_THE_CLOCK_WEEK, holidays: ['2026-12-25'] }))).not.toBeNull()
    expect(parseBusinessHours(null)).toBeNull()
    expect(() => parseBusinessHours({ week: 'always' })).toThrow()
  })

  it('round the clock with a holiday counts every second but that day', () => {
    const cal = calendar(ROUND_THE_CLOCK_WEEK, ['2026-12-25'])
    expect(businessSeconds(at('2026-12-23T23:00:00Z'), at('2026-12-26T23:00:00Z'), cal, 'Europe/Paris')).toBe(2 * 24 * HOUR)
  })
})

const wallFormats = new Map<string, Intl.DateTimeFormat>()
/** The wall clock of an instant in a zone, straight from Intl (the reference the tests compare with). */
function wallClock(instant: Date, zone: string) {
  let format = wallFormats.get(zone)
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    })
    wallFormats.set(zone, format)
  }
  const p = Object.fromEntries(format.formatToParts(instant).map((x) => [x.type, x.value]))
  return { date: `${p.year}-${p.month}-${p.day}`, weekday: p.weekday!.toLowerCase() as Weekday, minute: Number(p.hour) * 60 + Number(p.minute) }
}

/** Business minutes counted one minute at a time, reading each minute's wall clock from Intl. */
function bruteForceSeconds(from: number, to: number, hours: { week: Week; holidays: string[] }, zone: string): number {
  let total = 0
  for (let t = from; t < to; t += MINUTE_MS) {
    const wall = wallClock(new Date(t), zone)
    if (hours.holidays.includes(wall.date)) continue
    const minuteOf = (hm: string) => Number(hm.slice(0, 2)) * 60 + Number(hm.slice(3, 5))
    if (hours.week[wall.weekday].some(([a, b]) => wall.minute >= minuteOf(a) && wall.minute < minuteOf(b))) total += 60
  }
  return total
}

describe('properties over random spans', () => {
  const zones = ['Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'America/Santiago', 'UTC']
  const rand = mulberry32(19)
  const time = (quarter: number) => `${String(Math.floor(quarter / 4)).padStart(2, '0')}:${String((quarter % 4) * 15).padStart(2, '0')}`

  function randomHours() {
    const w = week({})
    for (const d of WEEKDAYS) {
      if (rand() < 0.25) continue
      const cuts = [...new Set(Array.from({ length: 2 + 2 * Math.floor(rand() * 2) }, () => Math.floor(rand() * 97)))].sort((a, b) => a - b)
      for (let i = 0; i + 1 < cuts.length; i += 2) w[d].push([time(cuts[i]!), time(cuts[i + 1]!)])
    }
    if (WEEKDAYS.every((d) => w[d].length === 0)) w.mon.push(['09:00', '17:00'])
    const holidays = Array.from({ length: Math.floor(rand() * 6) }, () =>
      new Date(Date.UTC(2026, 0, 1) + Math.floor(rand() * 365) * 86_400_000).toISOString().slice(0, 10),
    )
    return { week: w, holidays }
  }

  it('splits additively, never exceeds the elapsed time, and is 0 backwards', () => {
    for (let i = 0; i < 3_000; i++) {
      const hours = randomHours()
      const cal = calendar(hours.week, hours.holidays)
      const zone = zones[i % zones.length]!
      const base = Date.UTC(2026, 0, 1) + Math.floor(rand() * 330 * 86_400_000)
      const points = [0, 1, 2].map(() => base + Math.floor(rand() ** 2 * 40 * 86_400_000)).sort((x, y) => x - y)
      const [a, b, c] = points.map((p) => new Date(p)) as [Date, Date, Date]
      const ab = businessSeconds(a, b, cal, zone)
      const bc = businessSeconds(b, c, cal, zone)
      const ac = businessSeconds(a, c, cal, zone)
      const label = `${zone} ${a.toISOString()} ${b.toISOString()} ${c.toISOString()} ${JSON.stringify(hours)}`
      expect(Math.round(ac * 1000), label).toBe(Math.round(ab * 1000) + Math.round(bc * 1000))
      expect(ac, label).toBeLessThanOrEqual((c.getTime() - a.getTime()) / 1000)
      expect(ac, label).toBeGreaterThanOrEqual(0)
      if (c > a) expect(businessSeconds(c, a, cal, zone)).toBe(0)
    }
  })

  it('equals a minute-by-minute count read from Intl, across changes of offset', () => {
    // Spans around the 2026 changes of offset of each zone, and random ones.
    const around = [Date.UTC(2026, 2, 8), Date.UTC(2026, 2, 28), Date.UTC(2026, 3, 4), Date.UTC(2026, 8, 6), Date.UTC(2026, 9, 24), Date.UTC(2026, 10, 1)]
    for (let i = 0; i < 48; i++) {
      const hours = randomHours()
      const cal = calendar(hours.week, hours.holidays)
      const zone = zones[i % zones.length]!
      const start =
        (i % 2 === 0 ? around[Math.floor(rand() * around.length)]! : Date.UTC(2026, 0, 1) + Math.floor(rand() * 360) * 86_400_000) +
        Math.floor(rand() * 48 * 60) * MINUTE_MS
      const end = start + Math.floor(rand() * 3 * 24 * 60) * MINUTE_MS
      expect(businessSeconds(new Date(start), new Date(end), cal, zone), `${zone} ${new Date(start).toISOString()} ${JSON.stringify(hours)}`).toBe(
        bruteForceSeconds(start, end, hours, zone),
      )
    }
  })
})
