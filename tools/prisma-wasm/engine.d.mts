// Types for the parts of engine.mjs the application calls.
export interface DeployResult {
  appliedMigrationNames: string[]
}
export function deployMigrations(options: {
  migrationsDir?: string
  url?: string
  adapterFactory?: unknown
  log?: (message: string) => void
}): Promise<DeployResult>
