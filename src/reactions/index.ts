import type { DomainContext } from '../domain/context.ts'
import type { TransactionalReaction } from '../domain/events/record.ts'
import type { Consumer } from './consumer.ts'
import { agentNotifications } from './agentNotifications.ts'
import { customerEmails } from './customerEmails.ts'
import { notificationCentre } from './notificationCentre.ts'
import { discardDrafts } from './discardDrafts.ts'
import { renderEmails } from './renderEmails.ts'
import { reportRollups } from './reportRollups.ts'
import { webhookDeliveries } from './webhooks.ts'

/** The reactions written in the transaction of the change they follow (none may be lost). */
export function transactionalReactions(ctx: Omit<DomainContext, 'reactions'>): TransactionalReaction[] {
  // renderEmails last: after commit it renders what the others wrote.
  return [customerEmails(ctx), agentNotifications(ctx), discardDrafts(), renderEmails(ctx)]
}

/** The one way to build a domain context: with its reactions wired in. */
export function createDomainContext(base: Omit<DomainContext, 'reactions'>): DomainContext {
  return { ...base, reactions: transactionalReactions(base) }
}

/**
 * The listeners that read the event log after commit, each exactly once across instances
 * (src/reactions/consumer.ts).
 */
export function durableListeners(ctx: DomainContext): Consumer[] {
  return [notificationCentre(ctx), reportRollups(), webhookDeliveries()]
}
