// `npm run db:migrate`: applies pending migrations to DATABASE_URL, or to the embedded database.
import { loadConfig } from '../config.ts'
import { createLogger } from '../logger.ts'
import { applyMigrations } from './migrations.ts'
import { startEmbeddedPostgres } from './embedded.ts'

try {
  process.loadEnvFile()
} catch {}
const config = loadConfig()
const logger = createLogger(config.logLevel)
const embedded = config.databaseUrl ? undefined : await startEmbeddedPostgres(config.dataDir)
try {
  const applied = await applyMigrations(config.databaseUrl ?? embedded!.url)
  logger.info({ database: config.databaseUrl ? 'postgresql' : `embedded (${config.dataDir})` }, applied.length ? `applied ${applied.join(', ')}` : 'no pending migrations')
} catch (err) {
  logger.error({ err }, 'migration failed')
  process.exitCode = 1
} finally {
  await embedded?.stop()
  // The migration engine leaves a timer behind; nothing else is running.
  process.exit()
}
