// What the command-line tools that open the database share: the app's configuration loader, and
// plain words instead of a stack trace for the failures their user can fix.
import { ConfigError, loadConfigFromEnvironment, publicUrlWarning, type Config } from '../config.ts'

/**
 * The one message for every command that finds the embedded database held by another process
 * (PGlite's files can be opened by one process only).
 */
export function embeddedDatabaseBusyMessage(command: string, dataDir: string): string {
  return (
    `${command} cannot open the embedded database in ${dataDir} while another Suivi process (the running app, or another command) has it open: only one process at a time can. ` +
    'Stop that process and run the command again, or set DATABASE_URL to a PostgreSQL server, which the app and the commands can share.'
  )
}

/**
 * The configuration exactly as the app reads it. A command that writes e-mails (`links`) says on
 * stderr when their links would fall back to localhost.
 */
export function loadCommandConfig(options: { links?: boolean } = {}): Config {
  const config = loadConfigFromEnvironment()
  const warning = options.links ? publicUrlWarning(config) : null
  if (warning) console.error(`Warning: ${warning}`)
  return config
}

/**
 * Runs a command's body and exits with the code it returns (explicitly: the migration engine
 * leaves a timer behind). A bad configuration or a busy embedded database ends with a plain
 * message and exit code 1; anything else is a bug and keeps its stack trace.
 */
export async function runCommand(command: string, body: () => Promise<number>): Promise<never> {
  let code: number
  try {
    code = await body()
  } catch (err) {
    console.error((await plainMessage(command, err)) ?? err)
    code = 1
  }
  process.exit(code)
}

async function plainMessage(command: string, err: unknown): Promise<string | null> {
  if (err instanceof ConfigError) return err.message
  // Loaded only on this path: PGlite costs about 30 MB just by being imported.
  const { EmbeddedDatabaseBusyError } = await import('./embedded.ts')
  if (err instanceof EmbeddedDatabaseBusyError) return embeddedDatabaseBusyMessage(command, err.dataDir)
  return null
}
