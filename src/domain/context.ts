import type { Prisma, Tx } from '../db/database.ts'
import type { Conversation } from '../generated/prisma/client.ts'
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
  /**
   * Checked by every conversation command right after it locks the row, before any change: an
   * API call made on a version read earlier (If-Match) is refused when that version is gone.
   */
  precondition?: (tx: Tx, conversation: Conversation) => Promise<void>
}

/** What a query needs: the database only (reads take no clock, send no mail, publish nothing). */
export type QueryContext = Pick<DomainContext, 'prisma'>
