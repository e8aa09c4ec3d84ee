// Counts the report rollups again from the event log (after changing business hours or time zones,
// or on a database filled without them):
//
//   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/suivi_bench_100k npm run reports:rebuild
//
// Reports keep showing the old figures until the rebuild commits.

import { rebuildReports, ROLLUP_TABLES } from '../src/domain/reports/rebuild.ts'
import { formatSeconds, rollupProgress } from './seed.ts'
import { openToolDatabase, toolDatabaseConfig } from './toolDatabase.ts'

async function main(): Promise<number> {
  if (process.argv.includes('--help')) {
    console.log('npm run reports:rebuild   (DATABASE_URL selects the database)')
    return 0
  }
  const config = toolDatabaseConfig()
  if (!config) return 1
  const db = await openToolDatabase('npm run reports:rebuild', config)
  if (!db) return 1
  try {
    const started = performance.now()
    const res = await rebuildReports(db.pool, { onProgress: rollupProgress() })
    for (const table of ROLLUP_TABLES) await db.pool.query(`VACUUM (ANALYZE) ${table}`)
    console.log(`report rollups rebuilt for ${res.conversations.toLocaleString('en')} conversations in ${formatSeconds((performance.now() - started) / 1000)}`)
    return 0
  } finally {
    await db.close()
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err)
    process.exit(1)
  },
)
