import { fileURLToPath } from 'node:url'
import { deployMigrations } from '../../tools/prisma-wasm/engine.mjs'

const migrationsDir = fileURLToPath(new URL('../../prisma/migrations', import.meta.url))

/**
 * Applies pending migrations from prisma/migrations, exactly as `prisma migrate deploy` does
 * (same engine, same _prisma_migrations table, same advisory lock, so concurrent instances
 * wait for each other instead of applying twice).
 */
export async function applyMigrations(url: string): Promise<string[]> {
  const { appliedMigrationNames } = await deployMigrations({ migrationsDir, url })
  return appliedMigrationNames
}
