import type { Prisma } from '../db/database.ts'
import type { EventBus } from '../realtime/events.ts'
import type { MailContext } from '../mail/mailContext.ts'
import type { Clock } from './clock.ts'

/** What every domain command needs; the web layer, inbound mail and jobs build it the same way. */
export interface DomainContext {
  prisma: Prisma
  clock: Clock
  mail: MailContext
  events: EventBus
}
