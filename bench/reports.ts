// The reports page under load: the last 90 days and the last year for every folder, 90 days for
// one folder, with a tag filter, and as an agent who sees only their folders.
// `npm run bench:reports -- [--db suivi_bench_1m] [--duration 10] [--connections 1,10] [--runs 1] [--only 90] [--rebuild-log seed.log]`
//
// Budgets (issue 19): at 1M conversations, 90 days for all folders p99 <= 300 ms at c=1, the whole
// year <= 1 s. --rebuild-log reads the rollups' rebuild time from the output of `npm run seed` or
// `npm run reports:rebuild` and prints it with the figures.
import { readFile } from 'node:fs/promises'
import type { Measurement } from './http.ts'
import { runAppBench } from './http.ts'

const NINETY = '90 days, all folders (admin)'
const YEAR = '12 months, all folders (admin)'
const BUDGETS: { scenario: string; p99Ms: number }[] = [
  { scenario: NINETY, p99Ms: 300 },
  { scenario: YEAR, p99Ms: 1000 },
]

/** "report rollups rebuilt for N conversations in 1 min 5 s" (the tool) or "report rollups 1 min 5 s)" (the seed). */
export function rebuildSecondsOf(log: string): number | null {
  const text = log.replace(/\r/g, '\n')
  const m = /report rollups rebuilt for [\d,]+ conversations in ([^\n]+)/.exec(text) ?? /report rollups ([\d.]+ s|\d+ min \d+ s)\)/.exec(text)
  if (!m) return null
  const t = m[1]!.trim()
  const minutes = /^(\d+) min (\d+) s/.exec(t)
  if (minutes) return Number(minutes[1]) * 60 + Number(minutes[2])
  const seconds = /^([\d.]+) s/.exec(t)
  return seconds ? Number(seconds[1]) : null
}

// Read before the app starts, so that a wrong path is said at once.
const at = process.argv.findIndex((a) => a === '--rebuild-log' || a.startsWith('--rebuild-log='))
const rebuildLog = at < 0 ? null : process.argv[at]!.includes('=') ? process.argv[at]!.split('=').slice(1).join('=') : (process.argv[at + 1] ?? null)
const rebuildSeconds = rebuildLog ? rebuildSecondsOf(await readFile(rebuildLog, 'utf8')) : null
const pageSizes: Record<string, number> = {}

await runAppBench(
  'reports',
  async ({ url, admin, agent, db }) => {
    const folder = (await db.query(`SELECT "folderId" AS id FROM conversations GROUP BY 1 ORDER BY count(*) DESC OFFSET 2 LIMIT 1`)).rows[0]?.id
    const tag = (await db.query(`SELECT id FROM tags WHERE name = 'bug'`)).rows[0]?.id
    const rollups = (await db.query(`SELECT count(*)::int AS n FROM report_conversations`)).rows[0].n as number
    if (rollups === 0) throw new Error('the report rollups are empty: run npm run reports:rebuild (or seed again with npm run seed)')
    const scenarios = [
      { name: NINETY, paths: ['/reports?period=90d'], headers: admin },
      { name: YEAR, paths: ['/reports?period=12m'], headers: admin },
      { name: '90 days, one folder (admin)', paths: [`/reports?period=90d&folder=${folder}`], headers: admin },
      { name: '90 days, tag "bug" (admin)', paths: [`/reports?period=90d&tag=${tag}`], headers: admin },
      { name: '90 days, agent in 3 folders', paths: ['/reports?period=90d'], headers: agent },
    ]
    // One request each first: the page answers, and how much it weighs.
    for (const s of scenarios) {
      const res = await fetch(url + s.paths[0], { headers: s.headers })
      const body = await res.text()
      if (res.status !== 200) throw new Error(`${s.paths[0]} answered ${res.status}`)
      pageSizes[s.name] = Math.round(Buffer.byteLength(body) / 102.4) / 10
    }
    console.log(
      `page size: ${Object.entries(pageSizes)
        .map(([name, kb]) => `${name} ${kb} KB`)
        .join(', ')}`,
    )
    return scenarios
  },
  {
    options: { 'rebuild-log': { type: 'string' } },
    summarise: (results: Measurement[], values) => {
      const budgets = BUDGETS.flatMap((b) => {
        const m = results.find((r) => r.scenario === b.scenario && r.connections === 1)
        if (!m) return []
        const met = m.p99Ms <= b.p99Ms
        console.log(`budget: ${b.scenario} at c=1, p99 <= ${b.p99Ms} ms: ${m.p99Ms.toFixed(1)} ms, ${met ? 'met' : 'NOT met'}`)
        return [{ scenario: b.scenario, budgetP99Ms: b.p99Ms, p99Ms: m.p99Ms, met }]
      })
      if (rebuildSeconds !== null) console.log(`report rollups rebuilt in ${rebuildSeconds.toFixed(1)} s (from ${rebuildLog})`)
      else if (values['rebuild-log']) console.log(`no rebuild time found in ${values['rebuild-log']}`)
      return { budgets, pageSizesKb: pageSizes, rebuildSeconds, rebuildLog }
    },
  },
)
process.exit(0)
