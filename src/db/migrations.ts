import { fromRoot } from '../paths.ts'
import { deployMigrations } from '../../tools/prisma-wasm/engine.mjs'

const migrationsDir = fromRoot('prisma', 'migrations')

/**
 * Applies pending migrations from prisma/migrations, exactly as `prisma migrate deploy` does
 * (same engine, same _prisma_migrations table, same advisory lock, so concurrent instances
 * wait for each other instead of applying twice).
 */
export async function applyMigrations(url: string): Promise<string[]> {
  const { appliedMigrationNames } = await deployMigrations({ migrationsDir, url })
  return appliedMigrationNames
}
