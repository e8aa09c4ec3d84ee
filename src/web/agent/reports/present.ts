import type { BreakdownRow, Report } from '../../../domain/reports/types.ts'
import type { Formats } from '../../../i18n/format.ts'
import type { Translate } from '../../../i18n/translate.ts'
import { columnChart, heatCells, HEAT_LEVELS, meterRows, PLOT_HEIGHT, PLOT_WIDTH, type ColumnChart, type HeatCell, type MeterRow } from './charts.ts'
import { filterQuery, PERIODS, type FilterChoices, type FilterForm, type Period } from './filters.ts'
import { changeOf, dayDate, longDuration, reportFormats, shortDuration, type Change } from './humanise.ts'
import { hourName, reportTable, weekdayNames, type DataTable, type TableName } from './tables.ts'

export interface PageReader {
  t: Translate
  fmt: Formats
  locale: string
}

export interface SummaryCard {
  label: string
  value: string
  /** The value in words, when the shown one is abbreviated. */
  valueLabel?: string
  previous: string
  change: Change | null
}

/** A chart with its table and its CSV file. */
interface Section<Chart> {
  id: string
  chart: Chart
  /** What the chart shows, in a sentence (its accessible name). */
  summary: string
  table: DataTable
  csvHref: string
}

export interface ReportView {
  rangeText: string
  previousText: string
  cards: SummaryCard[]
  volume: Section<ColumnChart & { legend: Legend }>
  times: Section<{ rows: MeterRow[]; legend: Legend }>
  hours: Section<{ cells: HeatCell[]; weekdays: string[]; hourLabels: string[]; levels: number[] }>
  agents: { table: DataTable; csvHref: string }
  tags: Section<{ rows: MeterRow[]; legend: Legend }>
  folders: Section<{ rows: MeterRow[]; legend: Legend }>
  satisfaction: Section<ColumnChart & { legend: Legend }> & { score: SummaryCard; ratings: number }
  comments: { items: CommentItem[]; table: DataTable; csvHref: string }
  lifecycle: Section<{ rows: MeterRow[]; legend: Legend }>
  plot: { width: number; height: number }
}

type Legend = { series: string; label: string }[]

export interface CommentItem {
  href: string
  number: number
  subject: string
  customer: string
  rating: string
  value: 'great' | 'okay' | 'bad'
  comment: string
  at: string
  atIso: string
}

export interface FilterView {
  form: FilterForm
  choices: FilterChoices
  errors: Record<string, string>
  presets: { label: string; href: string; current: boolean }[]
  intervals: { value: 'day' | 'week'; label: string }[]
}

/** The ready-made ranges as links that keep the other filters. */
export function presentFilters(form: FilterForm, choices: FilterChoices, errors: Record<string, string>, current: Period | null, t: Translate): FilterView {
  return {
    form,
    choices,
    errors,
    presets: PERIODS.map((period) => ({
      label: t(`reports.period.${period}`),
      href: `/reports?${filterQuery({ ...form, period }, { interval: false })}`,
      current: period === current,
    })),
    intervals: [
      { value: 'day', label: t('reports.interval.day') },
      { value: 'week', label: t('reports.interval.week') },
    ],
  }
}

function rangeText(locale: string, from: string, to: string): string {
  return reportFormats(locale).dayMonthYear.formatRange(dayDate(from), dayDate(to))
}

/** Everything the page shows of a report, in the reader's language. */
export function presentReport(report: Report, form: FilterForm, reader: PageReader): ReportView {
  const { t, fmt, locale } = reader
  const number = (n: number) => fmt.number(n)
  const query = filterQuery(form)
  const csvHref = (name: TableName) => `/reports/export/${name}.csv?${query}`
  const table = (name: TableName) => reportTable(name, report, { t, locale, dateTime: fmt.dateTime })
  const { current: now, before } = report
  const dayLabel = reportFormats(locale).day
  const period = rangeText(locale, report.filters.from, report.filters.to)
  const intervalWord = t(report.filters.interval === 'week' ? 'reports.interval.perWeek' : 'reports.interval.perDay')

  const countCard = (label: string, a: number, b: number): SummaryCard => ({
    label,
    value: number(a),
    previous: t('reports.previousValue', { value: number(b) }),
    change: changeOf(locale, t, a, b),
  })
  const durationCard = (label: string, a: number | null, b: number | null): SummaryCard => ({
    label,
    value: shortDuration(t, a),
    valueLabel: longDuration(locale, t, a),
    previous: t('reports.previousValue', { value: shortDuration(t, b) }),
    change: changeOf(locale, t, a, b, { better: 'down' }),
  })
  const score = (s: number | null) => (s === null ? t('reports.none') : reportFormats(locale).signed.format(Math.round(s)))
  const scoreCard: SummaryCard = {
    label: t('reports.metric.score'),
    value: score(now.satisfaction.score),
    previous: t('reports.previousValue', { value: score(before.satisfaction.score) }),
    change: changeOf(locale, t, now.satisfaction.score, before.satisfaction.score, { better: 'up', points: true }),
  }

  const volumeLegend: Legend = [
    { series: 'created', label: t('reports.metric.created') },
    { series: 'replies', label: t('reports.metric.replies') },
    { series: 'closed', label: t('reports.metric.closed') },
  ]
  const volumeChart = columnChart(
    report.volumeSeries.map((p) => ({
      label: dayLabel(p.start),
      values: volumeLegend.map(({ series, label }) => {
        const value = p[series as 'created' | 'replies' | 'closed']
        return { series, value, title: t('reports.chart.barTitle', { when: dayLabel(p.start), what: label, value: number(value) }) }
      }),
    })),
    { stacked: false, format: number },
  )
  const busiestPoint = report.volumeSeries.reduce<(typeof report.volumeSeries)[number] | null>(
    (best, p) => (!best || p.created > best.created ? p : best),
    null,
  )

  const timeRows = [
    { label: t('reports.times.median', { what: t('reports.metric.firstResponse') }), now: now.firstResponse.median, before: before.firstResponse.median },
    { label: t('reports.times.p90', { what: t('reports.metric.firstResponse') }), now: now.firstResponse.p90, before: before.firstResponse.p90 },
    { label: t('reports.times.median', { what: t('reports.metric.resolution') }), now: now.resolution.median, before: before.resolution.median },
    { label: t('reports.times.p90', { what: t('reports.metric.resolution') }), now: now.resolution.p90, before: before.resolution.p90 },
  ]
  const timeBars = meterRows(timeRows, (r) => [
    { series: 'current', value: r.now ?? 0 },
    { series: 'previous', value: r.before ?? 0 },
  ])
  const periodLegend: Legend = [
    { series: 'current', label: t('reports.column.thisPeriod') },
    { series: 'previous', label: t('reports.column.previousPeriod') },
  ]

  const weekdaysLong = weekdayNames(locale, 'long')
  const hourOf = (h: number) => hourName(locale, h)
  const cells = heatCells(report.busiestHours, (d, h, value) =>
    t('reports.hours.cellTitle', { day: weekdaysLong[d]!, hour: hourOf(h), count: value, value: number(value) }),
  )
  let peak = { day: 0, hour: 0, value: 0 }
  report.busiestHours.forEach((row, d) => row.forEach((value, h) => value > peak.value && (peak = { day: d, hour: h, value })))

  const breakdown = (rows: BreakdownRow[]) => ({
    rows: meterRows(rows, (r) => [
      { series: 'current', value: r.created },
      { series: 'previous', value: r.previousCreated },
    ]).map((bars, i): MeterRow => ({
      label: rows[i]!.name,
      bars,
      value: number(rows[i]!.created),
      detail: changeOf(locale, t, rows[i]!.created, rows[i]!.previousCreated)?.text ?? t('reports.none'),
    })),
    legend: periodLegend,
  })
  const breakdownSummary = (rows: BreakdownRow[], key: 'reports.tags.summary' | 'reports.folders.summary') => {
    const top = [...rows].sort((a, b) => b.created - a.created)[0]
    return top ? t(key, { count: rows.length, top: top.name, value: number(top.created) }) : t('reports.chart.empty')
  }

  const ratingLegend: Legend = [
    { series: 'great', label: t('rating.value.great') },
    { series: 'okay', label: t('rating.value.okay') },
    { series: 'bad', label: t('rating.value.bad') },
  ]
  const satisfactionChart = columnChart(
    report.satisfactionSeries.map((p) => ({
      label: dayLabel(p.start),
      values: ratingLegend.map(({ series, label }) => {
        const value = p[series as 'great' | 'okay' | 'bad']
        return { series, value, title: t('reports.chart.barTitle', { when: dayLabel(p.start), what: label, value: number(value) }) }
      }),
    })),
    { stacked: true, format: number },
  )
  const ratings = now.satisfaction.great + now.satisfaction.okay + now.satisfaction.bad

  const lifecycleRows = [
    { label: t('reports.lifecycle.remindersSent'), now: now.lifecycle.remindersSent, before: before.lifecycle.remindersSent },
    { label: t('reports.lifecycle.remindersSolved'), now: now.lifecycle.remindersSolved, before: before.lifecycle.remindersSolved },
    { label: t('reports.lifecycle.remindersNotSolved'), now: now.lifecycle.remindersNotSolved, before: before.lifecycle.remindersNotSolved },
    { label: t('reports.lifecycle.autoClosed'), now: now.lifecycle.autoClosed, before: before.lifecycle.autoClosed },
  ]

  return {
    rangeText: period,
    previousText: rangeText(locale, report.previous.from, report.previous.to),
    plot: { width: PLOT_WIDTH, height: PLOT_HEIGHT },
    cards: [
      countCard(t('reports.metric.created'), now.volume.created, before.volume.created),
      countCard(t('reports.metric.customerMessages'), now.volume.customerMessages, before.volume.customerMessages),
      countCard(t('reports.metric.replies'), now.volume.replies, before.volume.replies),
      countCard(t('reports.metric.closed'), now.volume.closed, before.volume.closed),
      durationCard(t('reports.card.firstResponse'), now.firstResponse.median, before.firstResponse.median),
      durationCard(t('reports.card.resolution'), now.resolution.median, before.resolution.median),
      {
        label: t('reports.metric.repliesToResolve'),
        value: now.repliesToResolve === null ? t('reports.none') : reportFormats(locale).decimal.format(now.repliesToResolve),
        previous: t('reports.previousValue', {
          value: before.repliesToResolve === null ? t('reports.none') : reportFormats(locale).decimal.format(before.repliesToResolve),
        }),
        change: changeOf(locale, t, now.repliesToResolve, before.repliesToResolve, { better: 'down' }),
      },
      scoreCard,
    ],
    volume: {
      id: 'volume',
      chart: { ...volumeChart, legend: volumeLegend },
      summary: t('reports.volume.summary', {
        interval: intervalWord,
        period,
        created: number(now.volume.created),
        replies: number(now.volume.replies),
        closed: number(now.volume.closed),
        peak: busiestPoint && busiestPoint.created > 0 ? dayLabel(busiestPoint.start) : t('reports.none'),
        peakValue: number(busiestPoint?.created ?? 0),
      }),
      table: table('volume'),
      csvHref: csvHref('volume'),
    },
    times: {
      id: 'times',
      chart: {
        rows: timeRows.map((r, i) => ({
          label: r.label,
          bars: timeBars[i]!,
          value: shortDuration(t, r.now),
          valueLabel: longDuration(locale, t, r.now),
          detail: t('reports.previousValue', { value: shortDuration(t, r.before) }),
        })),
        legend: periodLegend,
      },
      summary: t('reports.times.summary', {
        firstMedian: longDuration(locale, t, now.firstResponse.median),
        firstP90: longDuration(locale, t, now.firstResponse.p90),
        resolutionMedian: longDuration(locale, t, now.resolution.median),
        resolutionP90: longDuration(locale, t, now.resolution.p90),
      }),
      table: table('times'),
      csvHref: csvHref('times'),
    },
    hours: {
      id: 'busiest-hours',
      chart: {
        cells,
        weekdays: weekdayNames(locale, 'short'),
        hourLabels: [0, 3, 6, 9, 12, 15, 18, 21].map(hourOf),
        levels: Array.from({ length: HEAT_LEVELS + 1 }, (_, i) => i),
      },
      summary:
        peak.value > 0
          ? t('reports.hours.summary', {
              zone: report.filters.timeZone,
              day: weekdaysLong[peak.day]!,
              hour: hourOf(peak.hour),
              count: peak.value,
              value: number(peak.value),
            })
          : t('reports.chart.empty'),
      table: table('busiest-hours'),
      csvHref: csvHref('busiest-hours'),
    },
    agents: { table: table('agents'), csvHref: csvHref('agents') },
    tags: {
      id: 'tags',
      chart: breakdown(report.tags),
      summary: breakdownSummary(report.tags, 'reports.tags.summary'),
      table: table('tags'),
      csvHref: csvHref('tags'),
    },
    folders: {
      id: 'folders',
      chart: breakdown(report.folders),
      summary: breakdownSummary(report.folders, 'reports.folders.summary'),
      table: table('folders'),
      csvHref: csvHref('folders'),
    },
    satisfaction: {
      id: 'satisfaction',
      chart: { ...satisfactionChart, legend: ratingLegend },
      summary: ratings
        ? t('reports.satisfaction.summary', {
            interval: intervalWord,
            count: ratings,
            ratings: number(ratings),
            great: number(now.satisfaction.great),
            okay: number(now.satisfaction.okay),
            bad: number(now.satisfaction.bad),
          })
        : t('reports.satisfaction.none'),
      table: table('satisfaction'),
      csvHref: csvHref('satisfaction'),
      score: scoreCard,
      ratings,
    },
    comments: {
      items: report.latestComments.map((c) => ({
        href: `/conversations/${c.conversationNumber}`,
        number: c.conversationNumber,
        subject: c.subject,
        customer: c.customerName,
        rating: t(`rating.value.${c.value}`),
        value: c.value,
        comment: c.comment,
        at: fmt.dateTime(c.at),
        atIso: c.at.toISOString(),
      })),
      table: table('comments'),
      csvHref: csvHref('comments'),
    },
    lifecycle: {
      id: 'lifecycle',
      chart: {
        rows: meterRows(lifecycleRows, (r) => [
          { series: 'current', value: r.now },
          { series: 'previous', value: r.before },
        ]).map((bars, i) => ({
          label: lifecycleRows[i]!.label,
          bars,
          value: number(lifecycleRows[i]!.now),
          detail: t('reports.previousValue', { value: number(lifecycleRows[i]!.before) }),
        })),
        legend: periodLegend,
      },
      summary: t('reports.lifecycle.summary', {
        sent: number(now.lifecycle.remindersSent),
        solved: number(now.lifecycle.remindersSolved),
        notSolved: number(now.lifecycle.remindersNotSolved),
        autoClosed: number(now.lifecycle.autoClosed),
      }),
      table: table('lifecycle'),
      csvHref: csvHref('lifecycle'),
    },
  }
}
