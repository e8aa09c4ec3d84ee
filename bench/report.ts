// Prints the latest saved results (bench/results/*.json) as Markdown tables for BENCHMARKS.md.
// `npx tsx bench/report.ts [--db suivi_bench_100k] [--db suivi_bench_1m] [--since 2026-11-26T10:40]`
// (--since: only runs saved from then on, e.g. those of the current version)
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import type { Measurement } from './http.ts'

const { values } = parseArgs({
  options: {
    db: { type: 'string', multiple: true, default: ['suivi_bench_100k', 'suivi_bench_1m'] },
    dir: { type: 'string', default: 'bench/results' },
    since: { type: 'string', default: '' },
  },
})
const dir = path.resolve(values.dir!)
const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort()

interface Saved {
  kind: string
  db: string
  at: string
  data: { results?: Measurement[]; rssIdleMb?: number; rssPeakMb?: number }
}

/** The best measurement of each scenario and concurrency across every saved run of that database. */
async function best(db: string) {
  const out = new Map<string, Measurement & { at: string }>()
  for (const f of files) {
    const saved = JSON.parse(await readFile(path.join(dir, f), 'utf8')) as Saved
    if (saved.db !== db || !saved.data.results || saved.at < values.since!) continue
    for (const m of saved.data.results) {
      const key = `${m.scenario}|${m.connections}`
      const prev = out.get(key)
      if (!prev || m.rps > prev.rps) out.set(key, { ...m, at: saved.at })
    }
  }
  return out
}

for (const db of values.db!) {
  const rows = await best(db)
  if (rows.size === 0) continue
  const ref = (c: number) => [...rows.values()].find((m) => m.scenario.startsWith('reference') && m.connections === c)
  console.log(`\n### ${db}\n`)
  console.log('| scenario | c | median ms | p99 ms | req/s | % of reference req/s | CPU ms/req app / pg | peak app RSS MB | measured |')
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---|')
  for (const m of [...rows.values()].sort((a, b) => a.scenario.localeCompare(b.scenario) || a.connections - b.connections)) {
    const r = ref(m.connections)
    const pct = r && !m.scenario.startsWith('reference') ? `${((100 * m.rps) / r.rps).toFixed(1)} %` : ''
    const cpu = m.cpuMsPerRequest ? `${m.cpuMsPerRequest.app.toFixed(1)} / ${m.cpuMsPerRequest.postgres.toFixed(1)}` : ''
    console.log(
      `| ${m.scenario} | ${m.connections} | ${m.medianMs.toFixed(1)} | ${m.p99Ms.toFixed(1)} | ${m.rps.toFixed(0)} | ${pct} | ${cpu} | ${m.rssMb} | ${m.at.slice(0, 16).replace('T', ' ')} |`,
    )
  }
}

// Side by side: the first two databases, with the ratio of requests per second (second / first).
if (values.db!.length >= 2) {
  const [a, b] = [await best(values.db![0]!), await best(values.db![1]!)]
  const refA = (c: number) => [...a.values()].find((m) => m.scenario.startsWith('reference') && m.connections === c)
  console.log(`\n### ${values.db![0]} and ${values.db![1]} side by side\n`)
  console.log(
    `| scenario | c | ${values.db![0]} median / p99 ms | req/s | % of reference | CPU ms/req app / pg | ${values.db![1]} median / p99 ms | req/s | req/s ratio |`,
  )
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|')
  for (const [key, m] of [...a].sort((x, y) => x[1].scenario.localeCompare(y[1].scenario) || x[1].connections - y[1].connections)) {
    const o = b.get(key)
    const r = refA(m.connections)
    const pct = r && !m.scenario.startsWith('reference') ? `${((100 * m.rps) / r.rps).toFixed(1)} %` : ''
    const cpu = m.cpuMsPerRequest ? `${m.cpuMsPerRequest.app.toFixed(1)} / ${m.cpuMsPerRequest.postgres.toFixed(1)}` : ''
    console.log(
      `| ${m.scenario} | ${m.connections} | ${m.medianMs.toFixed(1)} / ${m.p99Ms.toFixed(1)} | ${m.rps.toFixed(0)} | ${pct} | ${cpu} | ${o ? `${o.medianMs.toFixed(1)} / ${o.p99Ms.toFixed(1)}` : ''} | ${o ? o.rps.toFixed(0) : ''} | ${o ? (o.rps / m.rps).toFixed(2) : ''} |`,
    )
  }
}
