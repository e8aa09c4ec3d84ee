import { describe, expect, it } from 'vitest'
import { coverOf, daysBetween, monthOf, shiftDay, weekOf } from '../../../src/domain/reports/periods.ts'

/** Every day a cover names, with how many times. */
function daysOf(cover: ReturnType<typeof coverOf>): Map<string, number> {
  const seen = new Map<string, number>()
  const mark = (day: string) => seen.set(day, (seen.get(day) ?? 0) + 1)
  for (const month of cover.months) for (let day = month; monthOf(day) === month; day = shiftDay(day, 1)) mark(day)
  for (const week of cover.weeks) for (let i = 0; i < 7; i++) mark(shiftDay(week, i))
  for (const day of cover.days) mark(day)
  return seen
}

describe('the cover of a range by months, weeks and days', () => {
  it('a year: its whole months, the whole weeks left at its ends, then days', () => {
    expect(coverOf('2025-12-04', '2026-12-03')).toEqual({
      months: [
        '2026-01-01',
        '2026-02-01',
        '2026-03-01',
        '2026-04-01',
        '2026-05-01',
        '2026-06-01',
        '2026-07-01',
        '2026-08-01',
        '2026-09-01',
        '2026-10-01',
        '2026-11-01',
      ],
      weeks: ['2025-12-08', '2025-12-15', '2025-12-22'],
      days: ['2025-12-04', '2025-12-05', '2025-12-06', '2025-12-07', '2025-12-29', '2025-12-30', '2025-12-31', '2026-12-01', '2026-12-02', '2026-12-03'],
    })
  })

  it('a range within a month is weeks and days; a leap February is a whole month', () => {
    expect(coverOf('2026-12-02', '2026-12-16')).toEqual({
      months: [],
      weeks: ['2026-12-07'],
      days: ['2026-12-02', '2026-12-03', '2026-12-04', '2026-12-05', '2026-12-06', '2026-12-14', '2026-12-15', '2026-12-16'],
    })
    expect(coverOf('2028-02-01', '2028-02-29')).toEqual({ months: ['2028-02-01'], weeks: [], days: [] })
    expect(coverOf('2026-12-03', '2026-12-02')).toEqual({ months: [], weeks: [], days: [] })
  })

  it('names every day of any range exactly once, and none outside it', () => {
    const wrong: string[] = []
    for (let i = 0; i < 400; i++) {
      // Deterministic ranges from 0 to 800 days long, across month, year and leap-day ends.
      const from = shiftDay('2023-11-20', (i * 37) % 1_200)
      const to = shiftDay(from, (i * 53) % 800)
      const cover = coverOf(from, to)
      const seen = daysOf(cover)
      const exact = seen.size === daysBetween(from, to) + 1 && [...seen].every(([day, times]) => times === 1 && day >= from && day <= to)
      const aligned = cover.weeks.every((w) => weekOf(w) === w) && cover.months.every((m) => monthOf(m) === m)
      if (!exact || !aligned) wrong.push(`${from}..${to}`)
    }
    expect(wrong).toEqual([])
  })

  it('weeks start on Monday', () => {
    expect(weekOf('2026-12-03')).toBe('2026-11-30')
    expect(weekOf('2026-11-30')).toBe('2026-11-30')
    expect(weekOf('2027-01-03')).toBe('2026-12-28')
  })
})
