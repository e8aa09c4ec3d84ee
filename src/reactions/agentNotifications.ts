import { afterCommitWanted } from '../domain/transaction.ts'
import { RENDER_EMAILS } from '../mail/outbound/renderOutbox.ts'
import type { Tx } from '../db/database.ts'
import type { DomainContext } from '../domain/context.ts'
import type { TransactionalReaction } from '../domain/events/record.ts'
import type { RecordedEvent } from '../domain/events/types.ts'
import { canWorkInFolder } from '../domain/conversations/access.ts'
import { agentsAllowedWhere } from '../domain/policy.ts'
import type { MailContext } from '../mail/mailContext.ts'
import { enqueueAgentNotification, type ExcerptOf } from '../mail/outbound/conversationEmails.ts'
import { agentLanguage } from '../mail/outbound/language.ts'
import type { Message } from '../i18n/translate.ts'

/**
 * E-mails to agents about their conversations: assigned to them, the customer answered, a new
 * request in a folder they watch. Each follows the agent's preferences, is written in the agent's
 * language and is sent only to an active agent who may work in the conversation's folder (its
 * words must not reach anyone else).
 */
export function agentNotifications(ctx: Pick<DomainContext, 'mail'>): TransactionalReaction {
  return {
    name: 'agentNotifications',
    async inTransaction(tx, events) {
      for (const e of events) {
        if (e.type === 'conversation.assigned') await assigned(tx, ctx.mail, e)
        else if (e.type === 'message.received') await customerReplied(tx, ctx.mail, e)
        // A customer's new request; a follow-up of a closed one goes to its assignee as a reply.
        else if (e.type === 'conversation.created' && e.actorKind === 'customer' && e.data.followUpOf === undefined) await newRequest(tx, ctx.mail, e)
      }
    },
  }
}

const conversationRef = (tx: Tx, id: number) =>
  tx.conversation.findUniqueOrThrow({ where: { id }, select: { id: true, number: true, subject: true, assigneeId: true } })

/** The new assignee, unless they assigned it to themselves or turned it off. */
async function assigned(tx: Tx, mail: MailContext, e: RecordedEvent) {
  const to = typeof e.data.to === 'number' ? e.data.to : null
  if (to === null || to === e.actorAgentId) return
  const assignee = await tx.agent.findUnique({ where: { id: to } })
  if (!assignee?.active || !assignee.notifyOnAssign) return
  if (!(await canWorkInFolder(tx, assignee.id, e.folderId!))) return
  const by = e.actorAgentId === null ? null : await tx.agent.findUnique({ where: { id: e.actorAgentId }, select: { name: true } })
  const conversation = await conversationRef(tx, e.conversationId!)
  const last = await tx.message.findFirst({
    where: { conversationId: conversation.id, kind: { in: ['customer', 'agent'] } },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    select: { id: true },
  })
  await notify(
    tx,
    mail,
    conversation,
    assignee,
    by ? { key: 'mail.notification.assignedBy', values: { name: by.name } } : { key: 'mail.notification.assigned' },
    last && { messageId: last.id },
  )
}

/** The assignee, if they asked to hear of customers' answers. */
async function customerReplied(tx: Tx, mail: MailContext, e: RecordedEvent) {
  const conversation = await conversationRef(tx, e.conversationId!)
  if (!conversation.assigneeId) return
  const assignee = await tx.agent.findUnique({ where: { id: conversation.assigneeId } })
  if (!assignee?.active || !assignee.notifyOnCustomerReply) return
  if (!(await canWorkInFolder(tx, assignee.id, e.folderId!))) return
  await notify(tx, mail, conversation, assignee, { key: 'mail.notification.customerReplied' }, { messageId: Number(e.data.messageId) })
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
) {
  afterCommitWanted(RENDER_EMAILS)

  return enqueueAgentNotification(tx, mail, { conversation, to: agent.email, agentName: agent.name, headline, excerptOf, language: agentLanguage(agent) })
}
