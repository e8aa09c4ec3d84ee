// Counts the report rollups again from the event log (after changing business hours or time zones,
// or on a database filled without them):
//
//   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/suivi_bench_100k npm run reports:rebuild
//
// Reports keep showing the old figures until the rebuild commits.

import { ConfigError, loadConfigFromEnvironment } from '../src/config.ts'
import { openDatabase, type Database } from '../src/db/database.ts'
import { embeddedDatabaseBusyMessage } from '../src/db/commandLine.ts'
import { EmbeddedDatabaseBusyError } from '../src/db/embedded.ts'
import { rebuildReports, ROLLUP_TABLES } from '../src/domain/reports/rebuild.ts'
import { createLogger } from '../src/logger.ts'
import { formatSeconds, rollupProgress } from './seed.ts'

async function main(): Promise<number> {
  if (process.argv.includes('--help')) {
    console.log('npm run reports:rebuild   (DATABASE_URL selects the database)')
    return 0
  }
  let databaseUrl: string | undefined
  let dataDir: string
  try {
    const config = loadConfigFromEnvironment()
    databaseUrl = config.databaseUrl
    dataDir = config.dataDir
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message)
      return 1
    }
    throw err
  }
  console.log(`database… ${databaseUrl ? databaseUrl.replace(/\/\/[^@/]*@/, '//…@') : 'embedded'} (migrations are applied first)`)
  let db: Database
  try {
    db = await openDatabase({ databaseUrl, dataDir, logger: createLogger('error'), poolSize: 2 })
  } catch (err) {
    if (err instanceof EmbeddedDatabaseBusyError) console.error(embeddedDatabaseBusyMessage('npm run reports:rebuild', err.dataDir))
    else console.error(`Could not open the database: ${err instanceof Error ? err.message : String(err)}`)
    return 1
  }
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
