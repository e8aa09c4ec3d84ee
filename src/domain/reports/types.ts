/**
 * What the reports page shows, as the report query returns it (src/domain/reports/report.ts).
 * Days are folder-local dates ("2026-12-03"); durations are seconds; rates are 0..1.
 */

/** The report's question: a range of days, compared with the same number of days just before. */
export interface ReportFilters {
  /** First and last day, inclusive, as "YYYY-MM-DD". */
  from: string
  to: string
  /** Limited to these folders (always within the viewer's own); null: every folder the viewer may read. */
  folderId: number | null
  agentId: number | null
  tagId: number | null
  /** Count response and resolution times in the folders' business hours rather than round the clock. */
  businessHours: boolean
  /** Bars per day or per week (weeks start on Monday). */
  interval: 'day' | 'week'
  /** The viewer's IANA time zone, for the busiest hours. */
  timeZone: string
}

/** A median and 90th percentile of durations, with how many there were. */
export interface DurationSummary {
  count: number
  /** Seconds; null when there is none. */
  median: number | null
  p90: number | null
  average: number | null
}

export interface VolumeFigures {
  created: number
  customerMessages: number
  replies: number
  closed: number
}

export interface SatisfactionFigures {
  great: number
  okay: number
  bad: number
  /** Share great minus share not good, -100..100 (Help Scout's happiness score); null without ratings. */
  score: number | null
}

export interface LifecycleFigures {
  remindersSent: number
  /** The customer answered the reminder: solved, or not solved (the conversation reopened). */
  remindersSolved: number
  remindersNotSolved: number
  autoClosed: number
}

/** Everything counted over a period, for the current range and the previous one. */
export interface PeriodFigures {
  volume: VolumeFigures
  firstResponse: DurationSummary
  resolution: DurationSummary
  /** Replies per resolved conversation (average); null when none was resolved. */
  repliesToResolve: number | null
  satisfaction: SatisfactionFigures
  lifecycle: LifecycleFigures
}

/** One bar of the volume chart: a day, or a week starting on that day. */
export interface VolumePoint extends VolumeFigures {
  start: string
}

export interface SatisfactionPoint extends SatisfactionFigures {
  start: string
}

export interface AgentRow {
  agentId: number
  name: string
  /** Conversations closed while assigned to them. */
  closed: number
  replies: number
  firstResponse: DurationSummary
  resolution: DurationSummary
  satisfaction: SatisfactionFigures
}

/** Volume of one tag or folder now and in the previous period. */
export interface BreakdownRow {
  id: number
  name: string
  created: number
  previousCreated: number
}

export interface RatingComment {
  conversationNumber: number
  subject: string
  customerName: string
  value: 'great' | 'okay' | 'bad'
  comment: string
  at: Date
}

export interface Report {
  filters: ReportFilters
  /** The previous period's first and last day. */
  previous: { from: string; to: string }
  current: PeriodFigures
  before: PeriodFigures
  volumeSeries: VolumePoint[]
  satisfactionSeries: SatisfactionPoint[]
  /** Customer messages by weekday (0 Monday … 6 Sunday) and hour (0–23), in filters.timeZone. */
  busiestHours: number[][]
  agents: AgentRow[]
  tags: BreakdownRow[]
  folders: BreakdownRow[]
  latestComments: RatingComment[]
}
