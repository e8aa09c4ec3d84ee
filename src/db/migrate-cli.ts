// `npm run db:migrate`: applies pending migrations to DATABASE_URL, or to the embedded database.
import { createLogger } from '../logger.ts'
import { applyMigrations } from './migrations.ts'
import { startEmbeddedPostgres } from './embedded.ts'
import { loadCommandConfig, runCommand } from './commandLine.ts'

await runCommand('npm run db:migrate', async () => {
  const config = loadCommandConfig()
  const logger = createLogger(config.logLevel)
  const embedded = config.databaseUrl ? undefined : await startEmbeddedPostgres(config.dataDir)
  try {
    const applied = await applyMigrations(config.databaseUrl ?? embedded!.url)
    logger.info(
      { database: config.databaseUrl ? 'postgresql' : `embedded (${config.dataDir})` },
      applied.length ? `applied ${applied.join(', ')}` : 'no pending migrations',
    )
    return 0
  } catch (err) {
    logger.error({ err }, 'migration failed')
    return 1
  } finally {
    await embedded?.stop()
  }
})
