import type { DurationSummary, PeriodFigures, Report } from '../../../domain/reports/types.ts'
import type { Translate } from '../../../i18n/translate.ts'
import type { CsvCell } from './csv.ts'
import { dayDate, longDuration, reportFormats, shortDuration } from './humanise.ts'

/** The tables of numbers behind the charts, each also a CSV file. */
export const TABLES = ['volume', 'times', 'busiest-hours', 'agents', 'tags', 'folders', 'satisfaction', 'comments', 'lifecycle'] as const
export type TableName = (typeof TABLES)[number]

export const isTableName = (name: unknown): name is TableName => TABLES.includes(name as TableName)

/** A cell as the page shows it and as the CSV file holds it. */
export interface Cell {
  text: string
  value: CsvCell
  /** What a screen reader hears when the text is an abbreviation (durations). */
  label?: string
  href?: string
}

export interface DataTable {
  name: TableName
  caption: string
  /** The first column heads the rows (th scope="row"). */
  /** csvLabel: the file's header when it differs (durations are in seconds there). */
  columns: { label: string; numeric: boolean; csvLabel?: string }[]
  rows: { head: Cell; cells: Cell[] }[]
}

interface Reader {
  t: Translate
  locale: string
}

// A formatter per cell took a quarter of the page's time: they are built once per language.
const count = (locale: string, n: number): Cell => ({ text: reportFormats(locale).integer.format(n), value: n })

/** Durations: humanised on the page, in seconds in the file. */
const duration = ({ t, locale }: Reader, seconds: number | null): Cell => ({
  text: shortDuration(t, seconds),
  label: longDuration(locale, t, seconds),
  value: seconds === null ? null : Math.round(seconds),
})

const decimal = ({ t, locale }: Reader, n: number | null): Cell =>
  n === null ? { text: t('reports.none'), value: null } : { text: reportFormats(locale).decimal.format(n), value: Math.round(n * 100) / 100 }

const text = (s: string): Cell => ({ text: s, value: s })

/** A row or column of durations: the file says its numbers are seconds. */
const inSeconds = (t: Translate, label: string) => t('reports.csv.seconds', { what: label })

/** A period's first day, as the page and the file show it. */
const startCell = ({ locale }: Reader, day: string): Cell => ({ text: reportFormats(locale).dayWithYear(day), value: day })

function volumeTable(r: Reader, report: Report): DataTable {
  const { t, locale } = r
  return {
    name: 'volume',
    caption: t('reports.volume.caption'),
    columns: [
      { label: t(report.filters.interval === 'week' ? 'reports.column.weekOf' : 'reports.column.day'), numeric: false },
      { label: t('reports.metric.created'), numeric: true },
      { label: t('reports.metric.customerMessages'), numeric: true },
      { label: t('reports.metric.replies'), numeric: true },
      { label: t('reports.metric.closed'), numeric: true },
    ],
    rows: report.volumeSeries.map((p) => ({
      head: startCell(r, p.start),
      cells: [count(locale, p.created), count(locale, p.customerMessages), count(locale, p.replies), count(locale, p.closed)],
    })),
  }
}

function timesTable(r: Reader, report: Report): DataTable {
  const { t, locale } = r
  const durationHead = (label: string): Cell => ({ text: label, value: inSeconds(t, label) })
  const rows = (label: string, pick: (p: PeriodFigures) => DurationSummary) => {
    const [now, before] = [pick(report.current), pick(report.before)]
    return [
      { head: durationHead(t('reports.times.median', { what: label })), cells: [duration(r, now.median), duration(r, before.median)] },
      { head: durationHead(t('reports.times.p90', { what: label })), cells: [duration(r, now.p90), duration(r, before.p90)] },
      { head: durationHead(t('reports.times.average', { what: label })), cells: [duration(r, now.average), duration(r, before.average)] },
      { head: text(t('reports.times.count', { what: label })), cells: [count(locale, now.count), count(locale, before.count)] },
    ]
  }
  return {
    name: 'times',
    caption: t('reports.times.caption'),
    columns: [
      { label: t('reports.column.figure'), numeric: false },
      { label: t('reports.column.thisPeriod'), numeric: true },
      { label: t('reports.column.previousPeriod'), numeric: true },
    ],
    rows: [
      ...rows(t('reports.metric.firstResponse'), (p) => p.firstResponse),
      ...rows(t('reports.metric.resolution'), (p) => p.resolution),
      { head: text(t('reports.metric.repliesToResolve')), cells: [decimal(r, report.current.repliesToResolve), decimal(r, report.before.repliesToResolve)] },
    ],
  }
}

/** Monday first, as the figures come. */
export function weekdayNames(locale: string, form: 'short' | 'long'): string[] {
  const format = reportFormats(locale)[form === 'short' ? 'weekdayShort' : 'weekdayLong']
  // 2024-01-01 was a Monday.
  return Array.from({ length: 7 }, (_, i) => format.format(dayDate(`2024-01-0${i + 1}`)))
}

/** An hour of the day as the reader's language writes it ("3 PM", "15 h"). */
export const hourName = (locale: string, hour: number) => reportFormats(locale).hour.format(new Date(Date.UTC(2024, 0, 1, hour)))

function busiestHoursTable(r: Reader, report: Report): DataTable {
  const { t, locale } = r
  const days = weekdayNames(locale, 'long')
  return {
    name: 'busiest-hours',
    caption: t('reports.hours.caption', { zone: report.filters.timeZone }),
    columns: [{ label: t('reports.column.weekday'), numeric: false }, ...Array.from({ length: 24 }, (_, h) => ({ label: hourName(locale, h), numeric: true }))],
    rows: days.map((day, d) => ({ head: text(day), cells: Array.from({ length: 24 }, (_, h) => count(locale, report.busiestHours[d]?.[h] ?? 0)) })),
  }
}

function satisfactionCells(r: Reader, s: { great: number; okay: number; bad: number; score: number | null }): Cell[] {
  return [
    count(r.locale, s.great),
    count(r.locale, s.okay),
    count(r.locale, s.bad),
    s.score === null ? text(r.t('reports.none')) : count(r.locale, Math.round(s.score)),
  ]
}

function satisfactionColumns(t: Translate) {
  return [
    { label: t('rating.value.great'), numeric: true },
    { label: t('rating.value.okay'), numeric: true },
    { label: t('rating.value.bad'), numeric: true },
    { label: t('reports.metric.score'), numeric: true },
  ]
}

function agentsTable(r: Reader, report: Report): DataTable {
  const { t, locale } = r
  return {
    name: 'agents',
    caption: t('reports.agents.caption'),
    columns: [
      { label: t('reports.column.agent'), numeric: false },
      { label: t('reports.metric.closed'), numeric: true },
      { label: t('reports.metric.replies'), numeric: true },
      { label: t('reports.agents.firstResponseAverage'), numeric: true, csvLabel: inSeconds(t, t('reports.agents.firstResponseAverage')) },
      { label: t('reports.agents.resolutionAverage'), numeric: true, csvLabel: inSeconds(t, t('reports.agents.resolutionAverage')) },
      ...satisfactionColumns(t),
    ],
    rows: report.agents.map((a) => ({
      head: text(a.name),
      cells: [
        count(locale, a.closed),
        count(locale, a.replies),
        duration(r, a.firstResponse.average),
        duration(r, a.resolution.average),
        ...satisfactionCells(r, a.satisfaction),
      ],
    })),
  }
}

function breakdownTable(r: Reader, report: Report, name: 'tags' | 'folders'): DataTable {
  const { t, locale } = r
  const { percent } = reportFormats(locale)
  return {
    name,
    caption: t(`reports.${name}.caption`),
    columns: [
      { label: t(name === 'tags' ? 'reports.column.tag' : 'reports.column.folder'), numeric: false },
      { label: t('reports.column.thisPeriod'), numeric: true },
      { label: t('reports.column.previousPeriod'), numeric: true },
      { label: t('reports.column.change'), numeric: true },
    ],
    rows: report[name].map((row) => {
      const ratio = row.previousCreated === 0 ? null : (row.created - row.previousCreated) / row.previousCreated
      return {
        head: text(row.name),
        cells: [
          count(locale, row.created),
          count(locale, row.previousCreated),
          ratio === null ? text(t('reports.none')) : { text: percent.format(ratio), value: Math.round(ratio * 1000) / 10 },
        ],
      }
    }),
  }
}

function satisfactionTable(r: Reader, report: Report): DataTable {
  const { t } = r
  return {
    name: 'satisfaction',
    caption: t('reports.satisfaction.caption'),
    columns: [{ label: t(report.filters.interval === 'week' ? 'reports.column.weekOf' : 'reports.column.day'), numeric: false }, ...satisfactionColumns(t)],
    rows: report.satisfactionSeries.map((p) => ({ head: startCell(r, p.start), cells: satisfactionCells(r, p) })),
  }
}

function commentsTable(r: Reader, report: Report, format: (at: Date) => string): DataTable {
  const { t } = r
  return {
    name: 'comments',
    caption: t('reports.comments.caption'),
    columns: [
      { label: t('reports.column.conversation'), numeric: false },
      { label: t('reports.column.subject'), numeric: false },
      { label: t('reports.column.customer'), numeric: false },
      { label: t('reports.column.rating'), numeric: false },
      { label: t('reports.column.comment'), numeric: false },
      { label: t('reports.column.ratedAt'), numeric: false },
    ],
    rows: report.latestComments.map((c) => ({
      head: { text: `#${c.conversationNumber}`, value: c.conversationNumber, href: `/conversations/${c.conversationNumber}` },
      cells: [text(c.subject), text(c.customerName), text(t(`rating.value.${c.value}`)), text(c.comment), { text: format(c.at), value: c.at.toISOString() }],
    })),
  }
}

function lifecycleTable(r: Reader, report: Report): DataTable {
  const { t, locale } = r
  const row = (label: string, pick: (p: PeriodFigures) => number) => ({
    head: text(label),
    cells: [count(locale, pick(report.current)), count(locale, pick(report.before))],
  })
  return {
    name: 'lifecycle',
    caption: t('reports.lifecycle.caption'),
    columns: [
      { label: t('reports.column.figure'), numeric: false },
      { label: t('reports.column.thisPeriod'), numeric: true },
      { label: t('reports.column.previousPeriod'), numeric: true },
    ],
    rows: [
      row(t('reports.lifecycle.remindersSent'), (p) => p.lifecycle.remindersSent),
      row(t('reports.lifecycle.remindersSolved'), (p) => p.lifecycle.remindersSolved),
      row(t('reports.lifecycle.remindersNotSolved'), (p) => p.lifecycle.remindersNotSolved),
      row(t('reports.lifecycle.autoClosed'), (p) => p.lifecycle.autoClosed),
    ],
  }
}

/** One table of the report, in the reader's language. */
export function reportTable(name: TableName, report: Report, reader: Reader & { dateTime: (at: Date) => string }): DataTable {
  switch (name) {
    case 'volume':
      return volumeTable(reader, report)
    case 'times':
      return timesTable(reader, report)
    case 'busiest-hours':
      return busiestHoursTable(reader, report)
    case 'agents':
      return agentsTable(reader, report)
    case 'tags':
    case 'folders':
      return breakdownTable(reader, report, name)
    case 'satisfaction':
      return satisfactionTable(reader, report)
    case 'comments':
      return commentsTable(reader, report, reader.dateTime)
    case 'lifecycle':
      return lifecycleTable(reader, report)
  }
}

/** The table as a CSV file's header and rows. */
export function tableRows(table: DataTable): { header: string[]; rows: CsvCell[][] } {
  return {
    header: table.columns.map((c) => c.csvLabel ?? c.label),
    rows: table.rows.map((row) => [row.head.value, ...row.cells.map((c) => c.value)]),
  }
}
