import { afterCommitWanted } from '../domain/transaction.ts'
import { RENDER_EMAILS } from '../mail/outbound/renderOutbox.ts'
import type { Tx } from '../db/database.ts'
import type { DomainContext } from '../domain/context.ts'
import type { TransactionalReaction } from '../domain/events/record.ts'
import type { RecordedEvent } from '../domain/events/types.ts'
import { agentsAllowedWhere } from '../domain/policy.ts'
import { channelsFor, type NotificationKind } from '../domain/notifications/preferences.ts'
import { whoIsTold, type Told } from '../domain/notifications/recipients.ts'
import type { MailContext } from '../mail/mailContext.ts'
import { enqueueAgentNotification, type ExcerptOf } from '../mail/outbound/conversationEmails.ts'
import { agentLanguage } from '../mail/outbound/language.ts'
import type { Message } from '../i18n/translate.ts'

/**
 * E-mails to agents about their conversations, written in the transaction of the change (none is
 * lost): what whoIsTold decides they hear of (named in a comment, assigned, the customer answered,
 * a followed conversation answered, a snooze ended, a "not good" rating), for the kinds they chose e-mail for, and a new
 * request in a folder they watch. Each is written in the agent's language and goes only to an
 * active agent who may read the conversation's folder (its words must not reach anyone else).
 * The notification centre tells of the same after commit (notificationCentre.ts).
 */
export function agentNotifications(ctx: Pick<DomainContext, 'mail'>): TransactionalReaction {
  return {
    name: 'agentNotifications',
    async inTransaction(tx, events) {
      for (const e of events) {
        for (const told of await whoIsTold(tx, e)) if (channelsFor(told.agent.notificationPrefs, told.kind).email) await emailOf(tx, ctx.mail, told)
        // A customer's new request; a follow-up of a closed one goes to its assignee as a reply.
        if (e.type === 'conversation.created' && e.actorKind === 'customer' && e.data.followUpOf === undefined) await newRequest(tx, ctx.mail, e)
      }
    },
  }
}

const conversationRef = (tx: Tx, id: number) => tx.conversation.findUniqueOrThrow({ where: { id }, select: { id: true, number: true, subject: true } })

const HEADLINES: Record<NotificationKind, (by: string | undefined) => Message> = {
  mention: (by) => (by ? { key: 'mail.notification.mentionedBy', values: { name: by } } : { key: 'mail.notification.mentioned' }),
  assigned: (by) => (by ? { key: 'mail.notification.assignedBy', values: { name: by } } : { key: 'mail.notification.assigned' }),
  customer_reply: () => ({ key: 'mail.notification.customerReplied' }),
  followed_reply: () => ({ key: 'mail.notification.followedReplied' }),
  snooze_ended: () => ({ key: 'mail.notification.snoozeEnded' }),
  bad_rating: () => ({ key: 'mail.notification.badRating' }),
}

async function emailOf(tx: Tx, mail: MailContext, told: Told) {
  const conversation = await conversationRef(tx, told.conversationId)
  // Assignments, customer replies and ratings are the customer's or the desk's doing (automatic e-mail); the team tools' kinds are "mention".
  const kind = told.kind === 'assigned' || told.kind === 'customer_reply' || told.kind === 'bad_rating' ? 'notification' : 'mention'
  await notify(tx, mail, conversation, told.agent, HEADLINES[told.kind](told.by?.name), told.messageId === null ? null : { messageId: told.messageId }, kind)
}

/** The agents of the folder (and admins) who asked to hear of new conversations. */
async function newRequest(tx: Tx, mail: MailContext, e: RecordedEvent) {
  const watchers = await tx.agent.findMany({
    where: { ...agentsAllowedWhere(e.folderId!, 'read'), notifyOnNewInFolder: true },
    select: { email: true, name: true, locale: true, timeZone: true },
  })
  if (!watchers.length) return
  const conversation = await conversationRef(tx, e.conversationId!)
  // The event comes before the request's message is stored: the e-mail quotes it once rendered.
  for (const w of watchers) await notify(tx, mail, conversation, w, { key: 'mail.notification.newConversation' }, { firstMessageOf: conversation.id })
}

function notify(
  tx: Tx,
  mail: MailContext,
  conversation: { id: number; number: number; subject: string },
  agent: { email: string; name: string; locale: string; timeZone: string },
  headline: Message,
  excerptOf: ExcerptOf,
  kind: 'notification' | 'mention' = 'notification',
) {
  afterCommitWanted(RENDER_EMAILS)

  return enqueueAgentNotification(tx, mail, {
    conversation,
    to: agent.email,
    agentName: agent.name,
    headline,
    excerptOf,
    language: agentLanguage(agent),
    kind,
  })
}
