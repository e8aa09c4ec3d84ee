import { afterCommitWanted } from '../domain/transaction.ts'
import { RENDER_EMAILS } from '../mail/outbound/renderOutbox.ts'
import type { Tx } from '../db/database.ts'
import type { DomainContext } from '../domain/context.ts'
import type { TransactionalReaction } from '../domain/events/record.ts'
import type { RecordedEvent } from '../domain/events/types.ts'
import { ACKNOWLEDGEMENTS_PER_ADDRESS_PER_DAY } from '../domain/conversations/commands/startCustomerConversation.ts'
import { translate } from '../i18n/translate.ts'
import type { MailContext } from '../mail/mailContext.ts'
import { enqueueAgentReply, enqueueConfirmation } from '../mail/outbound/conversationEmails.ts'
import { conversationLanguage, knownLocale } from '../mail/outbound/language.ts'

/**
 * The e-mails a customer gets from what agents and the help desk do: each public reply (and the
 * first message of a conversation an agent sends), and the acknowledgement of a new request.
 * Written in the transaction of the event as a template, in the conversation's language (the
 * customer's, else the folder's); rendered after commit.
 */
export function customerEmails(ctx: Pick<DomainContext, 'mail'>): TransactionalReaction {
  return {
    name: 'customerEmails',
    async inTransaction(tx, events) {
      for (const e of events) {
        if (e.type === 'reply.sent') await replyEmail(tx, ctx.mail, e)
        else if (e.type === 'conversation.created' && typeof e.data.emailMessageId === 'string') await firstMessageEmail(tx, ctx.mail, e, e.data.emailMessageId)
        else if (e.type === 'conversation.created' && e.data.acknowledge === true) await acknowledgement(tx, ctx.mail, e)
      }
    },
  }
}

const conversationFor = (tx: Tx, id: number) =>
  tx.conversation.findUniqueOrThrow({
    where: { id },
    select: {
      id: true,
      number: true,
      subject: true,
      folder: { select: { signatureHtml: true, inboundAddress: true, locale: true, timeZone: true, ratingsEnabled: true } },
      customer: { select: { email: true, locale: true } },
    },
  })

async function agentName(tx: Tx, e: RecordedEvent): Promise<string> {
  const agent = e.actorAgentId === null ? null : await tx.agent.findUnique({ where: { id: e.actorAgentId }, select: { name: true } })
  return agent?.name ?? ''
}

/** An agent's reply, e-mailed as the message itself (same Message-ID); held while it may be withdrawn. */
async function replyEmail(tx: Tx, mail: MailContext, e: RecordedEvent) {
  const message = await tx.message.findUniqueOrThrow({
    where: { id: Number(e.data.messageId) },
    select: { id: true, conversationId: true, emailMessageId: true, cc: true, bcc: true },
  })
  if (!message.emailMessageId) throw new Error(`reply ${message.id} has no Message-ID to be e-mailed with`)
  const conversation = await conversationFor(tx, message.conversationId)
  // "Re:" unless nothing public was said before it (no agent reply, no customer message).
  const earlier = await tx.message.findFirst({
    where: { conversationId: conversation.id, id: { not: message.id }, OR: [{ kind: 'agent' }, { kind: 'customer', isAutoReply: false }] },
    select: { id: true },
  })
  afterCommitWanted(RENDER_EMAILS)

  await enqueueAgentReply(tx, mail, {
    conversation,
    to: conversation.customer.email,
    emailMessageId: message.emailMessageId,
    agentName: await agentName(tx, e),
    signatureHtml: conversation.folder.signatureHtml,
    folderAddress: conversation.folder.inboundAddress,
    isFirst: earlier === null,
    language: conversationLanguage(conversation),
    notBefore: typeof e.data.sendAfter === 'string' ? new Date(e.data.sendAfter) : null,
    cc: message.cc,
    bcc: message.bcc,
    // A reply asks how it was; the first message of a conversation an agent starts does not.
    ratings: conversation.folder.ratingsEnabled,
  })
}

/**
 * A conversation an agent starts by writing to the customer: its first message goes out. The
 * event comes before the message is stored, so it names the message by its Message-ID.
 */
async function firstMessageEmail(tx: Tx, mail: MailContext, e: RecordedEvent, emailMessageId: string) {
  const conversation = await conversationFor(tx, e.conversationId!)
  afterCommitWanted(RENDER_EMAILS)

  await enqueueAgentReply(tx, mail, {
    conversation,
    to: conversation.customer.email,
    emailMessageId,
    agentName: await agentName(tx, e),
    signatureHtml: conversation.folder.signatureHtml,
    folderAddress: conversation.folder.inboundAddress,
    isFirst: true,
    language: conversationLanguage(conversation),
  })
}

/**
 * Tells the customer their request arrived, when the command asked for it (not for robots) and
 * the folder does. Never to an address known to bounce, and at most a few a day per address.
 */
async function acknowledgement(tx: Tx, mail: MailContext, e: RecordedEvent) {
  const conversation = await tx.conversation.findUniqueOrThrow({
    where: { id: e.conversationId! },
    select: {
      id: true,
      number: true,
      folder: { select: { acknowledge: true, acknowledgementText: true, inboundAddress: true, locale: true, timeZone: true } },
      customer: { select: { email: true, undeliverableAt: true, locale: true } },
    },
  })
  const { folder, customer } = conversation
  if (!folder.acknowledge || customer.undeliverableAt) return
  // Outbox rows carry the real time of writing (as the loop limit counts them), not the domain clock.
  const since = new Date(Date.now() - 24 * 3600_000)
  if (
    (await tx.outboxEmail.count({ where: { toAddress: customer.email, kind: 'confirmation', createdAt: { gt: since } } })) >=
    ACKNOWLEDGEMENTS_PER_ADDRESS_PER_DAY
  )
    return
  afterCommitWanted(RENDER_EMAILS)

  // The folder's own text is written in the folder's language: a customer who reads another gets
  // the built-in text in theirs.
  const language = conversationLanguage(conversation)
  const own = language.locale === knownLocale(folder.locale) ? folder.acknowledgementText : null
  await enqueueConfirmation(tx, mail, {
    conversation,
    to: customer.email,
    text: own || translate(language.locale, 'mail.confirmation.defaultText'),
    folderAddress: folder.inboundAddress,
    language,
  })
}
