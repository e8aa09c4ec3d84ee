import type { DurationSummary, PeriodFigures, Report, ReportFilters } from '../../src/domain/reports/types.ts'

const DAY_MS = 86_400_000
const shiftDay = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10)

const durations = (median: number | null, p90: number | null, count: number): DurationSummary => ({
  count,
  median,
  p90,
  average: median === null ? null : Math.round(((median + (p90 ?? median)) / 2) * 1.1),
})

function period(scale: number): PeriodFigures {
  const n = (x: number) => Math.round(x * scale)
  return {
    volume: { created: n(240), customerMessages: n(410), replies: n(520), closed: n(215) },
    firstResponse: durations(n(2 * 3600 + 5 * 60), n(9 * 3600), n(230)),
    resolution: durations(n(26 * 3600), n(4 * 86_400), n(215)),
    repliesToResolve: 2.4 * scale,
    satisfaction: { great: n(60), okay: n(12), bad: n(8), score: Math.round(((n(60) - n(8)) / (n(60) + n(12) + n(8))) * 100) },
    lifecycle: { remindersSent: n(40), remindersSolved: n(18), remindersNotSolved: n(7), autoClosed: n(11) },
  }
}

/**
 * A plausible report (the shape the report query returns) for rendering and export tests: a
 * month of daily figures, a busy Tuesday morning, three agents, tags and folders, comments.
 */
export function buildReport(overrides: Partial<ReportFilters> = {}, options: { days?: number } = {}): Report {
  const days = options.days ?? 30
  const to = overrides.to ?? '2026-12-03'
  const from = overrides.from ?? shiftDay(to, -(days - 1))
  const filters: ReportFilters = {
    from,
    to,
    folderId: null,
    agentId: null,
    tagId: null,
    businessHours: false,
    interval: 'day',
    timeZone: 'Europe/Paris',
    ...overrides,
  }
  const count = Math.round((Date.parse(`${filters.to}T00:00:00Z`) - Date.parse(`${filters.from}T00:00:00Z`)) / DAY_MS) + 1
  const step = filters.interval === 'week' ? 7 : 1
  const points = Array.from({ length: Math.ceil(count / step) }, (_, i) => shiftDay(filters.from, i * step))
  const weekday = (day: string) => (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7
  return {
    filters,
    previous: { from: shiftDay(filters.from, -count), to: shiftDay(filters.from, -1) },
    current: period(1),
    before: period(0.8),
    volumeSeries: points.map((start, i) => {
      const quiet = weekday(start) >= 5 ? 0.3 : 1
      return {
        start,
        created: Math.round((6 + (i % 5)) * quiet * step),
        customerMessages: Math.round((11 + (i % 7)) * quiet * step),
        replies: Math.round((14 + (i % 6)) * quiet * step),
        closed: Math.round((5 + (i % 4)) * quiet * step),
      }
    }),
    satisfactionSeries: points.map((start, i) => ({ start, great: 2 + (i % 3), okay: i % 2, bad: i % 4 === 0 ? 1 : 0, score: 50 })),
    busiestHours: Array.from({ length: 7 }, (_, d) =>
      Array.from({ length: 24 }, (_, h) =>
        d >= 5 ? (h > 9 && h < 18 ? 1 : 0) : h >= 8 && h <= 18 ? 4 + ((h * 7 + d * 3) % 9) + (d === 1 && h === 10 ? 20 : 0) : h % 5 === 0 ? 1 : 0,
      ),
    ),
    agents: [
      {
        agentId: 1,
        name: 'Ada Lovelace',
        closed: 96,
        replies: 230,
        firstResponse: durations(3300, 20_000, 100),
        resolution: durations(80_000, 300_000, 96),
        satisfaction: { great: 30, okay: 4, bad: 2, score: 78 },
      },
      {
        agentId: 2,
        name: 'Bruno Ferreira',
        closed: 71,
        replies: 180,
        firstResponse: durations(9000, 40_000, 80),
        resolution: durations(120_000, 400_000, 71),
        satisfaction: { great: 20, okay: 5, bad: 4, score: 55 },
      },
      {
        agentId: 3,
        name: 'Chloé Martin',
        closed: 48,
        replies: 110,
        firstResponse: durations(45, 600, 50),
        resolution: durations(null, null, 0),
        satisfaction: { great: 10, okay: 3, bad: 2, score: null },
      },
    ],
    tags: [
      { id: 1, name: 'billing', created: 80, previousCreated: 64 },
      { id: 2, name: 'bug', created: 45, previousCreated: 60 },
      { id: 3, name: 'vip', created: 12, previousCreated: 0 },
    ],
    folders: [
      { id: 1, name: 'Support', created: 170, previousCreated: 150 },
      { id: 2, name: 'Sales', created: 70, previousCreated: 42 },
    ],
    latestComments: [
      {
        conversationNumber: 1042,
        subject: 'Refund for order 5531',
        customerName: 'Marie Curie',
        value: 'bad',
        comment: 'Took three days to hear back.',
        at: new Date('2026-12-02T15:20:00Z'),
      },
      {
        conversationNumber: 1038,
        subject: 'Cannot log in',
        customerName: 'Alan Turing',
        value: 'great',
        comment: 'Fixed in minutes, thank you!',
        at: new Date('2026-12-01T09:05:00Z'),
      },
    ],
  }
}
