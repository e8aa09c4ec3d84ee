import { describe, expect, it } from 'vitest'
import { formats } from '../../../../src/i18n/format.ts'
import { translator } from '../../../../src/i18n/translate.ts'
import { columnChart, heatLevel, niceMax, PLOT_HEIGHT } from '../../../../src/web/agent/reports/charts.ts'
import { changeOf, longDuration, shortDuration } from '../../../../src/web/agent/reports/humanise.ts'
import { presentReport } from '../../../../src/web/agent/reports/present.ts'
import { reportTable, tableRows, TABLES } from '../../../../src/web/agent/reports/tables.ts'
import { buildReport } from '../../../helpers/reportFixture.ts'

const reader = (locale: 'en' | 'fr') => ({ t: translator(locale), fmt: formats(locale, 'Europe/Paris'), locale })
const form = { from: '2026-11-04', to: '2026-12-03', folder: '', agent: '', tag: '', businessHours: false, interval: 'day' as const }
const flat = (s: string) => s.replace(/\s+/g, ' ')

describe('the reports page, as shown', () => {
  it('says durations in hours and minutes in both languages', () => {
    const en = translator('en')
    const fr = translator('fr')
    expect(shortDuration(en, 45)).toBe('45s')
    expect(shortDuration(en, 12 * 60 + 20)).toBe('12m')
    expect(shortDuration(en, 2 * 3600 + 5 * 60)).toBe('2h 05m')
    expect(shortDuration(en, 26 * 3600)).toBe('1d 2h')
    expect(flat(shortDuration(fr, 2 * 3600 + 5 * 60))).toBe('2 h 05')
    expect(flat(shortDuration(fr, 12 * 60))).toBe('12 min')
    expect(flat(shortDuration(fr, 3 * 86_400))).toBe('3 j 0 h')
    expect(shortDuration(en, null)).toBe('—')
    // 59 min 50 s is an hour, not "60m".
    expect(shortDuration(en, 3590)).toBe('1h 00m')
    expect(longDuration('en', en, 2 * 3600 + 5 * 60)).toBe('2 hours, 5 minutes')
    expect(flat(longDuration('fr', fr, 3600))).toBe('1 heure')
  })

  it('compares with the previous period: arrow, percentage, good or bad news', () => {
    const t = translator('en')
    expect(changeOf('en', t, 120, 100)).toMatchObject({ direction: 'up', text: '+20%', tone: 'neutral', label: 'Up 20% on the previous period' })
    // A shorter response time is good news.
    expect(changeOf('en', t, 80, 100, { better: 'down' })).toMatchObject({ direction: 'down', text: '-20%', tone: 'good' })
    expect(changeOf('en', t, 10, 0)).toBeNull()
    expect(changeOf('en', t, null, 10)).toBeNull()
    expect(changeOf('en', t, 40, 55, { better: 'up', points: true })).toMatchObject({ direction: 'down', tone: 'bad' })
    expect(flat(changeOf('fr', translator('fr'), 120, 100)!.text)).toBe('+20 %')
  })

  it('scales charts to round numbers and draws the heat map in shades', () => {
    expect(niceMax(0)).toBe(4)
    expect(niceMax(3)).toBe(4)
    expect(niceMax(37)).toBe(40)
    expect(niceMax(101)).toBe(200)
    expect(heatLevel(0, 10)).toBe(0)
    expect(heatLevel(1, 10)).toBe(1)
    expect(heatLevel(10, 10)).toBe(5)
    const chart = columnChart(
      [
        {
          label: 'a',
          values: [
            { series: 'x', value: 10, title: '' },
            { series: 'y', value: 30, title: '' },
          ],
        },
        {
          label: 'b',
          values: [
            { series: 'x', value: 0, title: '' },
            { series: 'y', value: 5, title: '' },
          ],
        },
      ],
      { stacked: true, format: String },
    )
    // 40 is the top: the stack of 10 + 30 fills the plot.
    expect(chart.yTicks).toEqual(['40', '30', '20', '10', '0'])
    const first = chart.bars.filter((b) => b.x < 500)
    expect(first.reduce((sum, b) => sum + b.height, 0)).toBe(PLOT_HEIGHT)
    // An empty value draws no bar.
    expect(chart.bars).toHaveLength(3)
  })

  it('presents every chart with a summary, its table and its CSV link, in French', () => {
    const report = buildReport()
    const view = presentReport(report, form, reader('fr'))
    expect(view.cards).toHaveLength(8)
    expect(flat(view.cards[0]!.value)).toBe('240')
    expect(view.cards[0]!.change).toMatchObject({ direction: 'up', tone: 'neutral' })
    expect(flat(view.cards[4]!.value)).toBe('2 h 05')
    expect(view.hours.chart.weekdays[0]).toBe('lun.')
    expect(view.hours.chart.cells).toHaveLength(168)
    expect(flat(view.hours.summary)).toContain('mardi à 10 h')
    expect(view.volume.chart.bars.length).toBe(30 * 3)
    expect(view.volume.csvHref).toBe('/reports/export/volume.csv?from=2026-11-04&to=2026-12-03&interval=day')
    expect(flat(view.rangeText)).toBe('4 nov. – 3 déc. 2026')
    expect(view.comments.items[0]).toMatchObject({ href: '/conversations/1042', rating: 'Pas bien' })
    for (const section of [view.volume, view.times, view.hours, view.tags, view.folders, view.satisfaction, view.lifecycle]) {
      expect(section.summary.length, section.id).toBeGreaterThan(10)
      expect(section.table.rows.length, section.id).toBeGreaterThan(0)
      expect(section.csvHref, section.id).toMatch(/^\/reports\/export\/[a-z-]+\.csv\?/)
    }
  })

  it('exports every table with plain numbers: durations in seconds, days as dates', () => {
    const report = buildReport()
    const r = { t: translator('en'), locale: 'en', dateTime: formats('en', 'UTC').dateTime }
    for (const name of TABLES) {
      const { header, rows } = tableRows(reportTable(name, report, r))
      expect(header.length, name).toBeGreaterThan(1)
      for (const row of rows) expect(row, name).toHaveLength(header.length)
    }
    const volume = tableRows(reportTable('volume', report, r))
    expect(volume.header).toEqual(['Day', 'New conversations', 'Customer messages', 'Replies', 'Closed'])
    expect(volume.rows[0]![0]).toBe('2026-11-04')
    const agents = tableRows(reportTable('agents', report, r))
    expect(agents.header).toContain('First response (average) (seconds)')
    const ada = report.agents[0]!
    expect(agents.rows[0]).toEqual(['Ada Lovelace', 96, 230, ada.firstResponse.average, ada.resolution.average, 30, 4, 2, 78])
    const hours = tableRows(reportTable('busiest-hours', report, r))
    expect(hours.rows.map((row) => row[0])).toEqual(['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'])
    expect(hours.header[1]).toBe('12 AM')
  })
})
