// The ceiling reference: a bare Express + pg page doing one indexed query, in a child process,
// driven exactly like the app scenarios.
// `npm run bench:reference -- [--db suivi_bench_100k] [--duration 10] [--connections 1,10] [--runs 2]`
import { describeData, measureAll, parseCommon, rssMb, saveResults, startChild } from './http.ts'

const { common } = parseCommon()
const data = await describeData(common.databaseUrl)
console.log(`reference on ${common.db}: ${data.conversations.toLocaleString('en')} conversations; ${common.duration} s per measurement, best of ${common.runs}`)
const child = await startChild('bench/reference-server.ts', { DATABASE_URL: common.databaseUrl, NODE_ENV: 'production' })
try {
  const idle = await rssMb(child.pid)
  const results = await measureAll(child.url, [{ name: 'reference: express + pg, 1 query', paths: ['/conversations'] }], common, child.pid)
  await saveResults('reference', common, { dataShape: data, rssIdleMb: idle, results })
} finally {
  await child.stop()
}
process.exit(0)
