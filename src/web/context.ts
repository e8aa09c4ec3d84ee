import type { Logger } from 'pino'
import type { Config } from '../config.ts'
import type { Database } from '../db/database.ts'
import type { Clock } from '../domain/clock.ts'
import type { MailContext } from '../domain/agents/passwordReset.ts'

/** Everything a router needs, built once at start-up. */
export interface AppContext {
  db: Database
  config: Config
  logger: Logger
  clock: Clock
  /** Secret for session cookies and signed links. */
  secret: string
  mail: MailContext
}
