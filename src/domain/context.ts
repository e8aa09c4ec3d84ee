import type { Prisma } from '../db/database.ts'
import type { EventBus } from '../realtime/events.ts'
import type { MailContext } from '../mail/mailContext.ts'
import type { Clock } from './clock.ts'
import type { TransactionalReaction } from './events/record.ts'

/** What every domain command needs; the web layer, inbound mail and jobs build it the same way. */
export interface DomainContext {
  prisma: Prisma
  clock: Clock
  mail: MailContext
  events: EventBus
  /** Listeners that write in the transaction of the change (src/reactions). */
  reactions: readonly TransactionalReaction[]
}

/** What a query needs: the database only (reads take no clock, send no mail, publish nothing). */
export type QueryContext = Pick<DomainContext, 'prisma'>
