import { ConfigError, loadConfigFromEnvironment } from '../src/config.ts'
import { embeddedDatabaseBusyMessage } from '../src/db/commandLine.ts'
import { openDatabase, type Database } from '../src/db/database.ts'
import { EmbeddedDatabaseBusyError } from '../src/db/embedded.ts'
import { createLogger } from '../src/logger.ts'

/** Where a command-line tool's database is (DATABASE_URL, else the embedded one); null once a bad setting was said. */
export function toolDatabaseConfig(): { databaseUrl: string | undefined; dataDir: string } | null {
  try {
    const { databaseUrl, dataDir } = loadConfigFromEnvironment()
    return { databaseUrl, dataDir }
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message)
      return null
    }
    throw err
  }
}

/**
 * Opens it for `command` (migrations are applied first), saying which one without its password;
 * null once the reason it cannot be opened was said.
 */
export async function openToolDatabase(command: string, config: { databaseUrl: string | undefined; dataDir: string }): Promise<Database | null> {
  const { databaseUrl, dataDir } = config
  console.log(`database… ${databaseUrl ? databaseUrl.replace(/\/\/[^@/]*@/, '//…@') : 'embedded'} (migrations are applied first)`)
  try {
    return await openDatabase({ databaseUrl, dataDir, logger: createLogger('error'), poolSize: 2 })
  } catch (err) {
    if (err instanceof EmbeddedDatabaseBusyError) console.error(embeddedDatabaseBusyMessage(command, err.dataDir))
    else console.error(`Could not open the database: ${err instanceof Error ? err.message : String(err)}`)
    return null
  }
}
