import type { Logger } from 'pino'
import type { Config } from '../config.ts'
import type { Database } from '../db/database.ts'
import type { Clock } from '../domain/clock.ts'
import type { MailContext } from '../mail/mailContext.ts'
import type { DomainContext } from '../domain/context.ts'
import type { EventBus } from '../realtime/events.ts'
import type { IntakeQueue } from '../mail/inbound/intakeQueue.ts'

/** Everything a router needs, built once at start-up. */
export interface AppContext {
  db: Database
  config: Config
  logger: Logger
  clock: Clock
  /** Secret for session cookies and signed links. */
  secret: string
  mail: MailContext
  events: EventBus
  /** What domain commands take: the same for routes, inbound mail and jobs. */
  domain: DomainContext
  /** Processes stored inbound e-mail in the background. */
  intake: IntakeQueue
  /** Aborted when the server begins to stop: long-lived responses (event streams) end on it. */
  shutdown: AbortSignal
}
