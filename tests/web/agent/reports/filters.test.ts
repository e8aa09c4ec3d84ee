import { describe, expect, it } from 'vitest'
import { MAX_RANGE_DAYS, parseReportFilters, periodRange, todayIn, type FilterChoices } from '../../../../src/web/agent/reports/filters.ts'

const choices: FilterChoices = {
  folders: [{ id: 3, name: 'Support' }],
  agents: [{ id: 7, name: 'Ada' }],
  tags: [{ id: 11, name: 'billing' }],
}
const context = { today: '2026-12-03', timeZone: 'Europe/Paris', choices }
const parse = (query: Record<string, unknown>) => parseReportFilters(query, context)

describe('the reports page filters', () => {
  it('covers the last 30 days, today included, round the clock, per day, when nothing is asked', () => {
    const parsed = parse({})
    expect(parsed.ok && parsed.filters).toEqual({
      from: '2026-11-04',
      to: '2026-12-03',
      folderId: null,
      agentId: null,
      tagId: null,
      businessHours: false,
      interval: 'day',
      timeZone: 'Europe/Paris',
    })
    expect(parsed.ok && parsed.period).toBe('30d')
  })

  it('takes “today” where the viewer is: late evening in Auckland is already tomorrow', () => {
    const at = new Date('2026-12-03T12:30:00Z')
    expect(todayIn('Pacific/Auckland', at)).toBe('2026-12-04')
    expect(todayIn('America/Los_Angeles', at)).toBe('2026-12-03')
  })

  it('offers ready-made ranges of 7, 30 and 90 days and 12 months ending today', () => {
    expect(periodRange('7d', '2026-12-03')).toEqual({ from: '2026-11-27', to: '2026-12-03' })
    expect(periodRange('90d', '2026-12-03')).toEqual({ from: '2026-09-05', to: '2026-12-03' })
    expect(periodRange('12m', '2026-12-03')).toEqual({ from: '2025-12-04', to: '2026-12-03' })
    // A year before 29 February is the 28th: twelve months run from 1 March.
    expect(periodRange('12m', '2028-02-29')).toEqual({ from: '2027-03-01', to: '2028-02-29' })
    const year = parse({ period: '12m' })
    // Beyond three months the bars are weeks unless days are asked for.
    expect(year.ok && year.filters.interval).toBe('week')
    expect(year.ok && year.period).toBe('12m')
  })

  it('reads a range, a folder, an agent, a tag, business hours and weekly bars', () => {
    const parsed = parse({ from: '2026-10-01', to: '2026-10-31', folder: '3', agent: '7', tag: '11', hours: 'business', interval: 'week' })
    expect(parsed.ok && parsed.filters).toMatchObject({
      from: '2026-10-01',
      to: '2026-10-31',
      folderId: 3,
      agentId: 7,
      tagId: 11,
      businessHours: true,
      interval: 'week',
    })
    expect(parsed.ok && parsed.period).toBeNull()
  })

  it('refuses dates that are not days, an end before the start and more than two years', () => {
    const notDays = parse({ from: '2026-02-30', to: 'yesterday' })
    expect(notDays.ok).toBe(false)
    if (!notDays.ok) {
      expect(notDays.errors.from).toEqual({ key: 'reports.error.date' })
      expect(notDays.errors.to).toEqual({ key: 'reports.error.date' })
      // What was typed is shown back to be corrected.
      expect(notDays.form.to).toBe('yesterday')
    }
    const backwards = parse({ from: '2026-12-01', to: '2026-11-01' })
    expect(!backwards.ok && backwards.errors.to).toEqual({ key: 'reports.error.endBeforeStart' })
    const tooLong = parse({ from: '2024-01-01', to: '2026-12-03' })
    expect(!tooLong.ok && tooLong.errors.from).toEqual({ key: 'reports.error.tooLong', values: { max: 2 } })
    // Exactly two years (with a 29 February) is allowed.
    const twoYears = parse({ from: '2026-12-03', to: '2028-12-02' })
    expect(twoYears.ok).toBe(true)
    expect(MAX_RANGE_DAYS).toBe(731)
  })

  it('answers a folder, agent or tag not offered (missing, or in another folder) as one to choose from the list', () => {
    const parsed = parse({ folder: '4', agent: '8', tag: 'x' })
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) {
      expect(parsed.errors.folder).toEqual({ key: 'reports.error.folder' })
      expect(parsed.errors.agent).toEqual({ key: 'reports.error.agent' })
      expect(parsed.errors.tag).toEqual({ key: 'reports.error.tag' })
    }
  })

  it('ignores an unknown period or interval and refuses repeated parameters', () => {
    const loose = parse({ period: 'forever', interval: 'hour', hours: 'yes' })
    expect(loose.ok && loose.filters).toMatchObject({ from: '2026-11-04', interval: 'day', businessHours: false })
    const repeated = parse({ folder: ['3', '4'] })
    expect(repeated.ok).toBe(false)
  })

  it('takes only an end date as the 30 days before it, and only a start date as up to today', () => {
    const end = parse({ to: '2026-06-30' })
    expect(end.ok && [end.filters.from, end.filters.to]).toEqual(['2026-06-01', '2026-06-30'])
    const start = parse({ from: '2026-11-20' })
    expect(start.ok && [start.filters.from, start.filters.to]).toEqual(['2026-11-20', '2026-12-03'])
  })
})
