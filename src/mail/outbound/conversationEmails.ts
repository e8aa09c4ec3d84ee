import { randomBytes } from 'node:crypto'
import ejs from 'ejs'
import sanitizeHtml from 'sanitize-html'
import { z } from 'zod'
import type { Tx } from '../../db/database.ts'
import type { MailContext } from '../../mail/mailContext.ts'
import { htmlToText, toEmailHtml } from '../../domain/content/index.ts'
import { enqueueAutomaticEmail, enqueueEmail, newMessageId, type OutboxAttachment } from './outbox.ts'
import { renderMail, type MailLanguage } from './templates.ts'
import { translator, type Message, type Translate } from '../../i18n/translate.ts'
import { replyAddressFor } from '../replyAddress.ts'
import { answerUrl, ratingUrls, statusPageUrl } from '../customerLinks.ts'

interface ConversationRef {
  id: number
  number: number
  subject: string
}

const ENGLISH = translator('en')

/**
 * "[#123] Subject": the number lets a reply find its conversation even without headers. "Re:" is
 * the same in every language (mail programs look for it); an empty subject is said in `t`'s.
 */
export function threadSubject(c: Pick<ConversationRef, 'number' | 'subject'>, reply: boolean, t: Translate = ENGLISH): string {
  const base = `[#${c.number}] ${c.subject || t('mail.noSubject')}`
  return reply ? `Re: ${base}` : base
}

/** The language parameters of an outbox row; rows written before e-mails had a language are English. */
const languageParams = {
  locale: z.string().default('en'),
  timeZone: z.string().default('UTC'),
}

/** In-Reply-To and References from the e-mails already in the thread (newest last), but its own. */
async function threadHeaders(tx: Tx, conversationId: number, ownMessageId: string): Promise<Record<string, string>> {
  const earlier = await tx.message.findMany({
    where: { conversationId, AND: [{ emailMessageId: { not: null } }, { emailMessageId: { not: ownMessageId } }], kind: { in: ['customer', 'agent'] } },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: 20,
    select: { emailMessageId: true, kind: true },
  })
  if (earlier.length === 0) return {}
  const refs = earlier.map((m) => m.emailMessageId!).reverse()
  const lastCustomer = earlier.find((m) => m.kind === 'customer')?.emailMessageId
  return { 'In-Reply-To': lastCustomer ?? refs.at(-1)!, References: refs.join(' ') }
}

/**
 * The e-mail that carries an agent's public reply to the customer, written in the reply's
 * transaction. Its envelope is fixed here; its body (the message, which may be large and
 * is costly to turn into e-mail HTML) is rendered after commit by renderAgentReply.
 */
export async function enqueueAgentReply(
  tx: Tx,
  mail: MailContext,
  args: {
    conversation: ConversationRef
    to: string
    /** The message's Message-ID: the e-mail is that message, and its body is read by it. */
    emailMessageId: string
    agentName: string
    signatureHtml: string
    isFirst: boolean
    /** The folder's own inbound address, when it has one: replies then come back to it. */
    folderAddress?: string | null
    /** The conversation's language (conversationLanguage). */
    language: MailLanguage
    /** Held until then, so that its author may still withdraw it (undo send). */
    notBefore?: Date | null
    /** The reply's copies (the message's own Cc and Bcc). */
    cc?: string[]
    bcc?: string[]
    /** The folder asks customers to rate its replies: the e-mail carries the one-click rating links. */
    ratings?: boolean
  },
) {
  const subject = threadSubject(args.conversation, !args.isFirst, translator(args.language.locale))
  const params: z.input<typeof agentReplyParams> = {
    title: subject,
    agentName: args.agentName,
    signatureHtml: args.signatureHtml,
    number: args.conversation.number,
    statusUrl: statusPageUrl(mail, args.conversation.id),
    mailDomain: mail.mailDomain,
    rating: args.ratings ? ratingUrls(mail, args.conversation.id) : null,
    ...args.language,
  }
  return enqueueEmail(tx, mail.mailDomain, {
    kind: 'agent_reply',
    to: args.to,
    subject,
    conversationId: args.conversation.id,
    messageId: args.emailMessageId,
    headers: {
      ...(await threadHeaders(tx, args.conversation.id, args.emailMessageId)),
      'Reply-To': replyAddressFor(args.folderAddress || mail.supportAddress, mail.secret, args.conversation.id),
      // The language the e-mail is written in (RFC 3282), for mail clients and screen readers.
      'Content-Language': args.language.locale,
    },
    template: 'agent-reply',
    params,
    ...(args.notBefore ? { notBefore: args.notBefore } : {}),
    ...(args.cc ? { cc: args.cc } : {}),
    ...(args.bcc ? { bcc: args.bcc } : {}),
  })
}

const agentReplyParams = z.object({
  title: z.string(),
  agentName: z.string(),
  signatureHtml: z.string(),
  number: z.number(),
  statusUrl: z.string(),
  /** Names the inline images' Content-IDs. */
  mailDomain: z.string(),
  /** The one-click rating links; rows written before ratings existed have none. */
  rating: z.object({ great: z.string(), okay: z.string(), bad: z.string() }).nullable().default(null),
  ...languageParams,
})

/** What rendering an outbox row gives: its parts, and for a reply the files it carries. */
export interface RenderedEmail {
  html: string
  text: string
  attachments?: OutboxAttachment[]
}

/** The body of an agent's reply e-mail: its message (found by Message-ID; messages never change) and files. */
export async function renderAgentReply(tx: Tx, row: { messageId: string; params: unknown }): Promise<RenderedEmail> {
  const p = agentReplyParams.parse(row.params)
  const message = await tx.message.findUnique({
    where: { emailMessageId: row.messageId },
    select: {
      bodyHtml: true,
      bodyText: true,
      attachments: { orderBy: { id: 'asc' }, select: { id: true, blobSha256: true, fileName: true, mimeType: true, inline: true } },
    },
  })
  if (!message) throw new Error('its message no longer exists')
  const cid = (attachmentId: number) => `att-${attachmentId}@${p.mailDomain}`
  const inlineNames = new Map(message.attachments.filter((a) => a.inline).map((a) => [a.id, a.fileName]))
  const content = await renderMail('agent-reply', {
    title: p.title,
    bodyHtml: toEmailHtml(message.bodyHtml, (id) => (inlineNames.has(id) ? cid(id) : null)),
    bodyText: textWithImages(message.bodyHtml, message.bodyText, inlineNames),
    agentName: p.agentName,
    signatureHtml: p.signatureHtml,
    number: p.number,
    statusUrl: p.statusUrl,
    rating: p.rating,
    locale: p.locale,
    timeZone: p.timeZone,
  })
  const attachments: OutboxAttachment[] = message.attachments.map((a) => ({
    blobSha256: a.blobSha256,
    fileName: a.fileName,
    mimeType: a.mimeType,
    ...(a.inline ? { contentId: cid(a.id) } : {}),
  }))
  return { ...content, attachments }
}

const ATTACHMENT_PATH = /^\/attachments\/(\d+)(?:\/|$)/

/**
 * The text part of a reply: the message's text, with "[image: name]" where the HTML part shows a
 * picture, so a reader of the text part knows one is there. Pictures the e-mail does not carry
 * (see toEmailHtml) are left out of both.
 */
function textWithImages(storedHtml: string, storedText: string, inlineNames: ReadonlyMap<number, string>): string {
  if (!/<img\b/i.test(storedHtml)) return storedText
  const dropped = new WeakSet<sanitizeHtml.Attributes>()
  const marked = sanitizeHtml(storedHtml, {
    allowedTags: false,
    allowedAttributes: false,
    allowVulnerableTags: true,
    parseStyleAttributes: false,
    allowedSchemesAppliedToAttributes: [],
    allowProtocolRelative: true,
    transformTags: {
      img: (tagName, attribs) => {
        const id = Number(ATTACHMENT_PATH.exec(attribs.src ?? '')?.[1])
        const fileName = inlineNames.get(id)
        if (fileName === undefined) {
          dropped.add(attribs)
          return { tagName, attribs }
        }
        // htmlToText writes an image as its alt text.
        return { tagName, attribs: { ...attribs, alt: `[image: ${attribs.alt?.trim() || fileName}]` } }
      },
    },
    exclusiveFilter: (frame) => dropped.has(frame.attribs),
  })
  return htmlToText(marked)
}

/** Where replies to notifications go: nowhere that the help desk reads. */
export const noReplyAddress = (mail: MailContext) => `no-reply@${mail.mailDomain}`

/**
 * Which message a notification quotes: one by id, or the first of a conversation (a new one, whose
 * message is written after the event that announces it).
 */
export type ExcerptOf = { messageId: number } | { firstMessageOf: number } | null

/**
 * Tells an agent about a conversation (assigned to them, the customer answered, a new one), in
 * the agent's language (agentLanguage).
 */
export async function enqueueAgentNotification(
  tx: Tx,
  mail: MailContext,
  args: {
    conversation: ConversationRef
    to: string
    agentName: string
    headline: Message
    excerptOf: ExcerptOf
    language: MailLanguage
    /** 'mention' for the team tools' kinds (named in a comment, a followed conversation, a snooze ended). */
    kind?: 'notification' | 'mention'
  },
) {
  const t = translator(args.language.locale)
  const headline = t(args.headline.key, args.headline.values)
  const params: z.input<typeof notificationParams> = {
    agentName: args.agentName,
    headline,
    subject: args.conversation.subject,
    number: args.conversation.number,
    link: `${mail.publicUrl}/conversations/${args.conversation.number}`,
    excerptOf: args.excerptOf,
    ...args.language,
  }
  const email = {
    to: args.to,
    toName: args.agentName,
    subject: t('mail.notification.subject', { headline, subject: threadSubject(args.conversation, false, t) }),
    conversationId: args.conversation.id,
    // An agent who presses Reply must not write to the support address: it would reach the
    // customer's conversation as if the customer had written it.
    headers: { 'Reply-To': noReplyAddress(mail), 'Content-Language': args.language.locale },
    template: 'agent-notification' as const,
    params,
  }
  // A mention is a colleague's doing, not a robot's: not held back by the hourly limit of automatic e-mails.
  if (args.kind === 'mention')
    return enqueueEmail(tx, mail.mailDomain, { ...email, kind: 'mention', headers: { ...email.headers, 'Auto-Submitted': 'auto-generated' } })
  return enqueueAutomaticEmail(tx, mail.mailDomain, { ...email, kind: 'notification' })
}

const notificationParams = z.object({
  agentName: z.string(),
  headline: z.string(),
  subject: z.string(),
  number: z.number(),
  link: z.string(),
  excerptOf: z.union([z.object({ messageId: z.number() }), z.object({ firstMessageOf: z.number() }), z.null()]),
  ...languageParams,
})

/** A notification's body, with the start of the message it quotes. */
export async function renderAgentNotification(tx: Tx, row: { params: unknown }): Promise<RenderedEmail> {
  const { excerptOf, ...p } = notificationParams.parse(row.params)
  const quoted = !excerptOf
    ? null
    : 'messageId' in excerptOf
      ? await tx.message.findUnique({ where: { id: excerptOf.messageId }, select: { bodyText: true } })
      : await tx.message.findFirst({
          where: { conversationId: excerptOf.firstMessageOf, kind: { in: ['customer', 'agent'] } },
          orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
          select: { bodyText: true },
        })
  return renderMail('agent-notification', { ...p, excerpt: quoted?.bodyText.slice(0, 500) ?? '' })
}

/**
 * Tells the customer that their request arrived, with its number and status page, in the
 * conversation's language. The address is not verified, so the e-mail carries no text the sender
 * chose (no name, subject or message).
 */
export async function enqueueConfirmation(
  tx: Tx,
  mail: MailContext,
  args: { conversation: Omit<ConversationRef, 'subject'>; to: string; text: string; folderAddress: string | null; language: MailLanguage },
) {
  const c = args.conversation
  return enqueueAutomaticEmail(tx, mail.mailDomain, {
    kind: 'confirmation',
    to: args.to,
    subject: translator(args.language.locale)('mail.confirmation.subject', { number: c.number }),
    conversationId: c.id,
    headers: { 'Reply-To': replyAddressFor(args.folderAddress || mail.supportAddress, mail.secret, c.id), 'Content-Language': args.language.locale },
    template: 'confirmation',
    params: { text: args.text, number: c.number, statusUrl: statusPageUrl(mail, c.id), ...args.language },
  })
}

/** A conversation the lifecycle sweep writes to, with what its e-mail needs. */
export interface SweptConversation extends ConversationRef {
  /** The customer's address and name. */
  email: string
  name: string
  /** The folder's own inbound address, when it has one: replies then come back to it. */
  folderAddress: string | null
  /** The Message-ID of the last agent e-mail in the thread, for In-Reply-To. */
  lastAgentMessageId: string | null
  /** Its folder asks customers to rate: the e-mail carries the one-click rating links. */
  ratingsEnabled?: boolean
}

/** The rating links of a swept conversation's e-mail, as per-conversation values ('' when its folder does not ask). */
function ratingValues(mail: MailContext, c: SweptConversation) {
  const urls = c.ratingsEnabled ? ratingUrls(mail, c.id) : { great: '', okay: '', bad: '' }
  return { rateGreatUrl: urls.great, rateOkayUrl: urls.okay, rateBadUrl: urls.bad }
}

/**
 * The automatic e-mails of one kind for a batch of conversations, with the template rendered once:
 * its fixed parts, and for each e-mail only its own values. The outbox rows are the fixed parts
 * with the values put in (renderBatchedEmail here, or the same in SQL), so a batch carries a few
 * hundred bytes per e-mail rather than its whole HTML and text.
 */
export interface EmailBatch {
  /**
   * The template rendered once per shape (see renderMailForMany) and cut at the values:
   * literal, value index, literal, …, literal.
   */
  shapes: { html: (string | number)[]; text: (string | number)[] }[]
  /** How many values each e-mail of the batch has. */
  valueCount: number
  emails: BatchedEmail[]
}

/** One automatic e-mail of a batch (Auto-Submitted, a fresh Message-ID). */
export interface BatchedEmail {
  messageId: string
  conversationId: number
  toAddress: string
  subject: string
  headers: Record<string, string>
  /** Index into the batch's shapes, or null: then `whole` holds the e-mail rendered on its own. */
  shape: number | null
  /** Its values in order, as the text part prints them and as the HTML part does (escaped). */
  textValues: string[]
  htmlValues: string[]
  whole?: { html: string; text: string }
}

const ENGLISH_UTC: MailLanguage = { locale: 'en', timeZone: 'UTC' }

/**
 * The reminders of one sweep batch ("Is your problem solved?", SPEC §2): one e-mail per
 * conversation, in the order given, all in `language`. `text` is the reminder text with its {days}
 * filled in.
 */
export async function composeReminders(
  mail: MailContext,
  text: string,
  conversations: readonly SweptConversation[],
  language: MailLanguage = ENGLISH_UTC,
): Promise<EmailBatch> {
  const t = translator(language.locale)
  const rendered = await renderMailForMany(
    'reminder',
    { text, ...language },
    conversations.map((c) => ({
      name: c.name,
      solvedUrl: answerUrl(mail, c.id, 'solved'),
      notSolvedUrl: answerUrl(mail, c.id, 'not-solved'),
      statusUrl: statusPageUrl(mail, c.id),
      number: c.number,
      ...ratingValues(mail, c),
    })),
  )
  return {
    ...rendered,
    emails: conversations.map((c, i) => ({
      ...envelope(mail, c, t('mail.reminder.subject', { subject: threadSubject(c, true, t) }), language.locale),
      ...rendered.emails[i]!,
    })),
  }
}

/** The closing notes of one sweep batch, for conversations the system closed, all in `language`. */
export async function composeClosingNotes(
  mail: MailContext,
  text: string,
  conversations: readonly SweptConversation[],
  language: MailLanguage = ENGLISH_UTC,
): Promise<EmailBatch> {
  const t = translator(language.locale)
  const rendered = await renderMailForMany(
    'closing',
    { text, ...language },
    conversations.map((c) => ({ name: c.name, statusUrl: statusPageUrl(mail, c.id), number: c.number, ...ratingValues(mail, c) })),
  )
  return {
    ...rendered,
    emails: conversations.map((c, i) => ({
      ...envelope(mail, c, t('mail.closing.subject', { subject: threadSubject(c, true, t) }), language.locale),
      ...rendered.emails[i]!,
    })),
  }
}

/**
 * One batch made of batches (a sweep batch composed language by language), its e-mails in the
 * order of `order` (conversation ids). Every part must have the same values per e-mail.
 */
export function joinBatches(parts: readonly EmailBatch[], order: readonly number[]): EmailBatch {
  if (parts.length === 1) return parts[0]!
  const shapes: EmailBatch['shapes'] = []
  const byConversation = new Map<number, BatchedEmail>()
  for (const part of parts) {
    const offset = shapes.length
    shapes.push(...part.shapes)
    for (const e of part.emails) byConversation.set(e.conversationId, e.shape === null ? e : { ...e, shape: e.shape + offset })
  }
  return { shapes, valueCount: parts[0]?.valueCount ?? 0, emails: order.flatMap((id) => byConversation.get(id) ?? []) }
}

/** The HTML and text of one e-mail of a batch: the same as renderMail gives for it. */
export function renderBatchedEmail(batch: Pick<EmailBatch, 'shapes'>, email: RenderedValues): { html: string; text: string } {
  if (email.shape === null) return email.whole!
  const shape = batch.shapes[email.shape]!
  return { html: fill(shape.html, email.htmlValues), text: fill(shape.text, email.textValues) }
}

function envelope(mail: MailContext, c: SweptConversation, subject: string, locale: string) {
  return {
    messageId: newMessageId(mail.mailDomain),
    conversationId: c.id,
    toAddress: c.email,
    subject: subject.slice(0, 500),
    headers: {
      'Auto-Submitted': 'auto-generated',
      'Content-Language': locale,
      'Reply-To': replyAddressFor(c.folderAddress || mail.supportAddress, mail.secret, c.id),
      ...(c.lastAgentMessageId ? { 'In-Reply-To': c.lastAgentMessageId, References: c.lastAgentMessageId } : {}),
    },
  }
}

type PerConversation = Record<string, string | number>
type Shape = EmailBatch['shapes'][number]
type RenderedValues = Pick<BatchedEmail, 'shape' | 'textValues' | 'htmlValues' | 'whole'>

/**
 * renderMail for many conversations at once, with the same output. EJS runs once per "shape"
 * (in practice once or twice per batch) with a marker in place of each per-conversation value;
 * every e-mail is then the fixed pieces with its own values put in, escaped as EJS escapes them
 * (HTML-escaped in the .html template, as they are in the .text one).
 *
 * This holds for templates that print a per-conversation value or test whether it is empty, which
 * is what the mail templates do. An empty value (or 0) can steer a template (`name ? … : ''`),
 * so each combination of empty values is a shape of its own, rendered with the real values. The
 * first e-mail of every shape is also rendered directly and compared: a template that does more
 * with a value (`name.toUpperCase()`) does not match, and that shape falls back to one EJS render
 * per e-mail rather than sending wrong text.
 */
async function renderMailForMany(
  name: string,
  shared: Record<string, unknown>,
  each: readonly PerConversation[],
): Promise<Omit<EmailBatch, 'emails'> & { emails: RenderedValues[] }> {
  const keys = each.length ? Object.keys(each[0]!) : []
  const marker = `\u0000${randomBytes(8).toString('hex')}:`
  const cut = new RegExp(`${marker}(\\w+)\u0000`)
  const shapes: Shape[] = []
  const shapeOf = new Map<string, number | null>()
  const emails: RenderedValues[] = []
  for (const values of each) {
    const textValues = keys.map((k) => String(values[k]))
    const htmlValues = keys.map((k) => ejs.escapeXML(values[k]))
    let shapeKey = ''
    for (const k of keys) if (!values[k]) shapeKey += `${k}=${String(values[k])}&`
    let shape = shapeOf.get(shapeKey)
    if (shape === undefined) {
      // The first e-mail of a shape: render it, and the template once more with markers.
      const direct = await renderMail(name, { ...shared, ...values })
      const marked = await renderMail(name, { ...shared, ...Object.fromEntries(keys.map((k) => [k, values[k] ? `${marker}${k}\u0000` : values[k]])) })
      const toPieces = (rendered: string) => rendered.split(cut).map((piece, i) => (i % 2 ? keys.indexOf(piece) : piece))
      const candidate: Shape = { html: toPieces(marked.html), text: toPieces(marked.text) }
      const fits = fill(candidate.html, htmlValues) === direct.html && fill(candidate.text, textValues) === direct.text
      shape = fits ? shapes.push(candidate) - 1 : null
      shapeOf.set(shapeKey, shape)
      emails.push(fits ? { shape, textValues, htmlValues } : { shape, textValues, htmlValues, whole: direct })
    } else if (shape === null) {
      emails.push({ shape, textValues, htmlValues, whole: await renderMail(name, { ...shared, ...values }) })
    } else {
      emails.push({ shape, textValues, htmlValues })
    }
  }
  return { shapes, valueCount: keys.length, emails }
}

function fill(pieces: readonly (string | number)[], values: readonly string[]): string {
  let s = ''
  for (const piece of pieces) s += typeof piece === 'number' ? (values[piece] ?? '') : piece
  return s
}
