/**
 * The geometry of the report's charts, computed here so that the SVG partials only draw what they
 * are given. Plots are drawn in a fixed coordinate space stretched to the width of the page
 * (preserveAspectRatio="none"); their texts (axes, legends) are HTML beside them, so that they
 * keep their size on a phone.
 */

/** The plot's coordinate space. */
export const PLOT_WIDTH = 1000
export const PLOT_HEIGHT = 300

/** Grid lines and axis labels: five, from the top (the scale's maximum) to zero. */
export const TICKS = 5

export interface Bar {
  x: number
  y: number
  width: number
  height: number
  /** The series, as a class name (its colour comes from the stylesheet, dark theme included). */
  series: string
  /** Shown on hover. */
  title: string
}

export interface ColumnChart {
  bars: Bar[]
  /** The y of each grid line, top to bottom. */
  gridlines: number[]
  /** The axis labels, top to bottom, matching the grid lines. */
  yTicks: string[]
  /** Labels under the plot, spread from the first bar to the last. */
  xLabels: string[]
}

/** A scale's top for values up to `max`: a round number four equal steps divide (1, 2, 2.5 or 5 × 10ⁿ per step). */
export function niceMax(max: number): number {
  if (!(max > 0)) return TICKS - 1
  const rawStep = max / (TICKS - 1)
  const magnitude = 10 ** Math.floor(Math.log10(rawStep))
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= rawStep - 1e-9)!
  // Counts are whole: a step below one would label the axis with fractions.
  return Math.max(TICKS - 1, step * (TICKS - 1))
}

const round = (n: number) => Math.round(n * 100) / 100

function axis(top: number, format: (n: number) => string) {
  const gridlines = Array.from({ length: TICKS }, (_, i) => round((PLOT_HEIGHT * i) / (TICKS - 1)))
  const yTicks = Array.from({ length: TICKS }, (_, i) => format(round((top * (TICKS - 1 - i)) / (TICKS - 1))))
  return { gridlines, yTicks }
}

/** At most three labels under a chart: the first, the middle and the last. */
export function spreadLabels(labels: string[]): string[] {
  if (labels.length <= 3) return labels
  return [labels[0]!, labels[Math.floor((labels.length - 1) / 2)]!, labels[labels.length - 1]!]
}

export interface SeriesValue {
  series: string
  value: number
  title: string
}

/**
 * Bars side by side per point (grouped) or on top of each other (stacked), with a shared scale.
 * Each point is a list of its series' values, in the same order for every point.
 */
export function columnChart(points: { label: string; values: SeriesValue[] }[], options: { stacked: boolean; format: (n: number) => string }): ColumnChart {
  const heights = points.map((p) => (options.stacked ? p.values.reduce((sum, v) => sum + v.value, 0) : Math.max(0, ...p.values.map((v) => v.value))))
  const top = niceMax(Math.max(0, ...heights))
  const group = PLOT_WIDTH / Math.max(1, points.length)
  // A little space between groups; none between the bars of one group.
  const inner = group * (points.length > 60 ? 0.9 : 0.75)
  const bars: Bar[] = []
  points.forEach((p, i) => {
    const left = i * group + (group - inner) / 2
    let stackedHeight = 0
    p.values.forEach((v, k) => {
      const height = round((Math.max(0, v.value) / top) * PLOT_HEIGHT)
      if (height <= 0) return
      if (options.stacked) {
        stackedHeight += height
        bars.push({ x: round(left), y: round(PLOT_HEIGHT - stackedHeight), width: round(inner), height, series: v.series, title: v.title })
      } else {
        const width = inner / p.values.length
        bars.push({ x: round(left + k * width), y: round(PLOT_HEIGHT - height), width: round(width), height, series: v.series, title: v.title })
      }
    })
  })
  return { bars, ...axis(top, options.format), xLabels: spreadLabels(points.map((p) => p.label)) }
}

export interface MeterRow {
  label: string
  /** Each bar's length in % of the longest value of the chart. */
  bars: { series: string; percent: number }[]
  value: string
  valueLabel?: string
  detail?: string
}

/** Horizontal bars (a few figures compared), as lengths in percent of the largest. */
export function meterRows<T>(items: T[], values: (item: T) => { series: string; value: number }[]): { percent: number; series: string }[][] {
  const max = Math.max(0, ...items.flatMap((item) => values(item).map((v) => v.value)))
  return items.map((item) => values(item).map((v) => ({ series: v.series, percent: max > 0 ? round((Math.max(0, v.value) / max) * 100) : 0 })))
}

export interface HeatCell {
  x: number
  y: number
  level: number
  title: string
}

/** Shades of the heat map beyond "none": level 1 (a few) to 5 (the busiest). */
export const HEAT_LEVELS = 5

/** The level of a count on the heat map's scale (0 for none). */
export function heatLevel(value: number, max: number): number {
  if (value <= 0 || max <= 0) return 0
  return Math.max(1, Math.ceil((value / max) * HEAT_LEVELS))
}

/** A weekday × hour grid (rows Monday to Sunday, columns 0 to 23h), one unit per cell. */
export function heatCells(grid: number[][], title: (day: number, hour: number, value: number) => string): HeatCell[] {
  const max = Math.max(0, ...grid.flat())
  const cells: HeatCell[] = []
  for (let day = 0; day < 7; day++) {
    for (let hour = 0; hour < 24; hour++) {
      const value = grid[day]?.[hour] ?? 0
      cells.push({ x: hour, y: day, level: heatLevel(value, max), title: title(day, hour, value) })
    }
  }
  return cells
}
