import type { InboundMail } from './parse.ts'

export type MailKind =
  | { kind: 'normal' }
  | { kind: 'autoReply'; reason: string }
  | { kind: 'bounce'; bounce: BounceInfo }
  /** A feedback-loop report (ARF, RFC 5965): someone marked one of our e-mails as spam. */
  | { kind: 'complaint'; complaint: ComplaintInfo }

export interface BounceInfo {
  /** The address that could not be reached, when the report says. */
  recipient: string | null
  /** The DSN status, e.g. 5.1.1, from the machine-readable part or the report's words. */
  status: string | null
  /** A permanent failure (5.x.x): the address should not be written to again. */
  hard: boolean
  /** Message-IDs of the e-mail that bounced, to find its conversation. */
  originalMessageIds: string[]
}

export interface ComplaintInfo {
  /** The address that complained, when the report names it (providers often redact it). */
  recipient: string | null
  /** Feedback-Type: abuse, fraud, virus, other … */
  feedbackType: string
  /** Message-IDs of the e-mail complained about. */
  originalMessageIds: string[]
}

const AUTO_SUBJECT =
  /^(auto(matic)?[ -]?(reply|response|antwort|svar)|out of (the )?office|réponse automatique|abwesenheitsnotiz|automatische antwort|fuera de la oficina|afwezig|respuesta automática|risposta automatica|autosvar|auto:|\[auto[ -]?generated\])/i
/** Senders that only ever write delivery reports. */
const DAEMON_LOCAL_PART = /^(mailer[-_]?daemon|postmaster|mail[-_]?daemon|mdaemon|microsoftexchange[0-9a-f]{32})$/i
/** Display names mail servers give their reports ("Mail Delivery System <…>", Exchange's "Microsoft Outlook <MicrosoftExchange…@>"). */
const DAEMON_NAME =
  /^(mail delivery (sub)?system|mail delivery service|mail ?delivery|mail administrator|mail system|e-?mail delivery system|mail server|mailer[- ]daemon|post ?master|microsoft outlook|microsoft exchange|system administrator|internet mail delivery|delivery status notification|.*\b(sms|mms|messaging|mail) gateway)$/i
const BOUNCE_SUBJECT =
  /(undeliver(ed|able)|delivery (status notification|failure|has failed|failed|incomplete|notification|report|error)|returned mail|returned to sender|mail delivery failed|failure notice|non[- ]?delivery|nondeliverable|(could ?n[o']t|can ?n[o']t|was ?n[o']t|not) (be )?delivered|message (not delivered|delivery failed|failed)|mail system error|warning: could not send|unable to deliver|non remis|unzustellbar|nicht zustellbar|non recapitabile|no (se puede|pudo) entregar|onbestelbaar|kan ikke leveres|não entregue)/i
/** What the human-readable part of a non-delivery report says, in one form or another. */
const FAILURE_WORDS =
  /((could ?n[o']t|was ?n[o']t|has ?n[o']t|have ?n[o']t) (been )?(be )?delivered|was not delivered|not been delivered|could not deliver|unable to deliver|failed to deliver|delivery (to the following recipients? )?(has )?failed|undeliverable|permanent(ly)? (fatal )?(error|failure)|i'?m afraid i was ?n[o']t able to deliver|created automatically by mail delivery software|address not found|user unknown|no such user|mailbox (is )?unavailable|recipient address rejected|mail delivery (failed|subsystem|system)|returned mail|delivery status notification)/i
const PERMANENT_WORDS =
  /(user unknown|unknown user|no such (user|mailbox|recipient|address|account|person|local user)|mailbox (is )?(unavailable|not found|does not exist|disabled|inactive)|(does ?n[o']t|did ?n[o']t|does not|did not|no longer) exists?|address not found|(could ?n[o']t|could not|can ?n[o']t|cannot) be found|recipient (address )?(rejected|not found|unknown|invalid)|invalid (recipient|address|mailbox|user)|unknown (recipient|address|local[- ]part|mailbox)|no mailbox here|unrouteable address|addressee unknown|account (has been |is )?(disabled|deactivated|closed|suspended|terminated|expired)|no longer (valid|active|available|in use)|not a valid (recipient|mailbox|address|subscriber|mobile|number|destination)|host (or domain name )?not found|domain (name )?(not found|does not exist)|not listed in (the )?(domino directory|public name|address book)|permanent(ly)? (fatal )?(error|failure))/i
const TRANSIENT_WORDS =
  /(mailbox (is )?full|over ?quota|quota (exceeded|full)|exceeded (the |its |their )?(storage|quota)|insufficient (system )?storage|temporar(y|ily)|try again later|will (be )?retr(y|ied)|will keep trying|still trying|(has|have) been delayed|delivery (is |has been )?delayed|could not send message for past|not yet been delivered|no action is required|deferred|greylist)/i
/** An enhanced status code (RFC 3463) in prose: "550 5.1.1", "(#5.1.1)", "5.1.1 <a@b>"; not part of an IP address or a version. */
const PROSE_STATUS = /(?<![\w.])#?([45]\.\d{1,3}\.\d{1,3})(?![\w.])/
/** A bare SMTP reply code where reports quote the remote server. */
const PROSE_SMTP_CODE = /(?:said:|smtp;|smtp error[^\n]{0,40}?:|returned '|response:|reply:|^)[ \t]*'?\(?([45][0-5]\d)(?:[ -]|$)(?!\d)/im
/** Where a report starts quoting the returned message: prose after this is not the report's own. */
const RETURNED_PART =
  /^(-{2,}.{0,40}(original message|below this line|copy of the message|returned message|message headers|undelivered message|header of the original|rfc822).*|original message headers:.*|reporting-mta:.*|received: .*)$/im
const ADDRESS = /[a-z0-9!#$%&'*+/=?^_`{|}~.-]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+/gi

/**
 * Auto-replies, bounces and feedback-loop reports (SPEC §1): kept as system messages that change
 * nothing. `envelopeFrom` is the SMTP MAIL FROM ('' for `MAIL FROM:<>`; null when unknown, as for
 * IMAP and HTTP).
 */
export function classifyMail(mail: InboundMail, raw: Buffer, envelopeFrom: string | null = null): MailKind {
  const h = (name: string) => mail.headers.get(name)?.toLowerCase().trim() ?? ''
  const contentType = h('content-type')
  const from = mail.from?.address ?? ''
  const isReport = contentType.startsWith('multipart/report')
  const reportType = /report-type\s*=\s*"?([\w-]+)/.exec(contentType)?.[1] ?? null
  const partTypes = isReport ? reportPartTypes(raw) : new Set<string>()

  if (isReport && (reportType === 'feedback-report' || (reportType === null && partTypes.has('message/feedback-report')))) {
    return { kind: 'complaint', complaint: readComplaint(mail, raw) }
  }
  if (isReport && (reportType === 'disposition-notification' || (reportType === null && partTypes.has('message/disposition-notification')))) {
    return { kind: 'autoReply', reason: 'read receipt' }
  }
  const nullSender = hasNullSender(mail, raw, envelopeFrom)
  const local = from.split('@')[0] ?? ''
  const daemon = DAEMON_LOCAL_PART.test(local)
  const daemonName = DAEMON_NAME.test(mail.from?.name ?? '')
  const bounceSubject = BOUNCE_SUBJECT.test(mail.subject)
  const failureWords = (nullSender || daemonName || bounceSubject) && FAILURE_WORDS.test(humanReadable(mail))
  if (
    // A delivery-status report, with or without its report-type (Exchange leaves it out).
    (isReport && (reportType === 'delivery-status' || reportType === null)) ||
    daemon ||
    (bounceSubject && from === '') ||
    // An empty return path is what RFC 5321 asks of delivery reports, but auto-replies and spam use it too.
    (nullSender && (bounceSubject || failureWords)) ||
    (daemonName && (bounceSubject || failureWords)) ||
    (bounceSubject && /daemon|postmaster/i.test(from))
  ) {
    return { kind: 'bounce', bounce: readBounce(mail, raw) }
  }
  const autoSubmitted = h('auto-submitted')
  if (autoSubmitted && autoSubmitted !== 'no') return { kind: 'autoReply', reason: `Auto-Submitted: ${autoSubmitted}` }
  if (mail.headers.has('x-autoreply') || mail.headers.has('x-autorespond') || mail.headers.has('x-autoresponder'))
    return { kind: 'autoReply', reason: 'X-Autoreply' }
  if (['bulk', 'junk', 'list', 'auto_reply'].includes(h('precedence'))) return { kind: 'autoReply', reason: `Precedence: ${h('precedence')}` }
  if (mail.headers.has('x-auto-response-suppress')) return { kind: 'autoReply', reason: 'X-Auto-Response-Suppress' }
  if (h('x-mailer').includes('autoresponder') || h('x-ms-exchange-generated-message-source')) return { kind: 'autoReply', reason: 'generated by a mail server' }
  if (AUTO_SUBJECT.test(mail.subject)) return { kind: 'autoReply', reason: 'out-of-office subject' }
  // An empty return path alone hides nothing: spam and some web forms use it too.
  return { kind: 'normal' }
}

/** `MAIL FROM:<>` in the SMTP envelope, or the `Return-Path: <>` the delivering server wrote. */
function hasNullSender(mail: InboundMail, raw: Buffer | null, envelopeFrom: string | null): boolean {
  if (envelopeFrom !== null && envelopeFrom.replace(/[<>\s]/g, '') === '') return true
  const returnPath = mail.headers.get('return-path')
  // mailparser reads `<>` as an empty address list.
  if (returnPath !== undefined && /^\s*(<\s*>)?\s*$/.test(returnPath)) return true
  return raw !== null && /^Return-Path:[ \t]*<[ \t]*>[ \t]*\r?$/im.test(headerBlock(raw))
}

/** The message's own header block (latin1), without its body. */
function headerBlock(raw: Buffer): string {
  const head = raw.subarray(0, 256 * 1024).toString('latin1')
  const end = /\r?\n\r?\n/.exec(head)?.index
  return end === undefined ? head : head.slice(0, end)
}

/** The content types of a report's parts, read from the raw message's part headers. */
function reportPartTypes(raw: Buffer): Set<string> {
  const text = raw.toString('latin1')
  return new Set([...text.matchAll(/^Content-Type:[ \t]*((?:message|text)\/[\w.+-]+)/gim)].map((m) => m[1]!.toLowerCase()))
}

/** The report's own words: the text before any quoted copy of the returned message. */
function humanReadable(mail: InboundMail): string {
  const text = mail.text || (mail.html ?? '').replace(/<[^>]*>/g, ' ').replace(/&nbsp;/g, ' ')
  const cut = RETURNED_PART.exec(text)
  return (cut ? text.slice(0, cut.index) : text).slice(0, 20_000)
}

/**
 * Everything a report may carry its fields in: the raw message (parts in 7bit or 8bit), the
 * decoded text (a base64 or quoted-printable status part) and attached status or header parts.
 */
function reportText(mail: InboundMail, raw: Buffer): string {
  const parts = mail.attachments.filter((a) =>
    /^(message\/(delivery-status|global-delivery-status|feedback-report|rfc822|global|global-headers)|text\/rfc822-headers)$/i.test(a.contentType),
  )
  return [raw.subarray(0, 2 * 1024 * 1024).toString('latin1'), mail.text, ...parts.map((a) => a.data.subarray(0, 512 * 1024).toString('latin1'))].join('\n')
}

/** Message-IDs of the returned e-mail, from its quoted headers and the report's own references. */
function returnedMessageIds(mail: InboundMail, text: string): string[] {
  const ids = new Set<string>()
  // No control characters: PostgreSQL refuses NUL in text, and no real Message-ID holds one.
  for (const m of text.matchAll(/^Message-ID:[ \t]*(?:\r?\n[ \t]+)?(<[^<>\s\x00-\x1f\x7f]+>)/gim)) ids.add(m[1]!)
  for (const ref of mail.references) ids.add(ref)
  if (mail.inReplyTo) ids.add(mail.inReplyTo)
  if (mail.messageId) ids.delete(mail.messageId)
  return [...ids].slice(0, 50)
}

/** Reads the machine-readable part of a delivery report (RFC 3464), else what its words say. */
function readBounce(mail: InboundMail, raw: Buffer): BounceInfo {
  const text = reportText(mail, raw)
  const prose = humanReadable(mail)
  const fieldRecipient = /^(?:Final|Original)-Recipient:[ \t]*rfc822;[ \t]*<?([^\s<>;\x00-\x1f\x7f]+@[^\s<>;\x00-\x1f\x7f]+)/im.exec(text)?.[1] ?? null
  const failedHeader = (mail.headers.get('x-failed-recipients') ?? '').match(ADDRESS)?.[0] ?? null
  const recipient = (fieldRecipient ?? failedHeader ?? proseRecipient(mail, prose))?.toLowerCase() ?? null

  const fieldStatus = /^Status:[ \t]*([245]\.\d{1,3}\.\d{1,3})/im.exec(text)?.[1] ?? null
  const action = /^Action:[ \t]*(\w+)/im.exec(text)?.[1]?.toLowerCase() ?? null
  if (fieldStatus) return { recipient, status: fieldStatus, hard: fieldStatus.startsWith('5'), originalMessageIds: returnedMessageIds(mail, text) }
  // No machine-readable status: the code the report quotes, else its words.
  const proseStatus = PROSE_STATUS.exec(prose)?.[1] ?? null
  const smtpCode = proseStatus ? null : (PROSE_SMTP_CODE.exec(prose)?.[1] ?? null)
  let hard: boolean
  if (proseStatus) hard = proseStatus.startsWith('5')
  else if (smtpCode) hard = smtpCode.startsWith('5')
  else if (action) hard = action === 'failed'
  else if (TRANSIENT_WORDS.test(prose) || /\b(delay(ed)?|warning)\b/i.test(mail.subject)) hard = false
  else hard = PERMANENT_WORDS.test(prose)
  return { recipient, status: proseStatus, hard, originalMessageIds: returnedMessageIds(mail, text) }
}

/** The failed address as the report's words give it (qmail, exim, Gmail, Exchange and carriers' texts). */
function proseRecipient(mail: InboundMail, prose: string): string | null {
  const ours = new Set([mail.from?.address, ...mail.to.map((m) => m.address), ...mail.cc.map((m) => m.address)].filter(Boolean))
  const usable = (a: string | undefined) => {
    const address = a?.toLowerCase().replace(/\.$/, '')
    return address && !ours.has(address) && !DAEMON_LOCAL_PART.test(address.split('@')[0]!) ? address : null
  }
  const patterns = [
    // qmail, Postfix: "<a@b>:" opening a line.
    /^[ \t]*<([^\s<>@]+@[^\s<>]+)>:/m,
    // exim: the failed addresses indented below "failed:".
    /failed:[ \t]*\r?\n(?:[ \t]*\r?\n)*[ \t]+<?([^\s<>@]+@[^\s<>]+?)>?[ \t]*(?:\r?\n|$)/i,
    // Gmail, Exchange, carriers: "wasn't delivered to a@b", "to these recipients or groups: a@b".
    /(?:delivered to|deliver(?:ed)? (?:it )?to|delivery to|recipients? or groups|following (?:recipients?|address(?:es)?)(?:\(e?s\))?|recipient|failed recipients?|message to|addressed to):?[ \t\r\n]*<?([^\s<>@"',;:()]+@[^\s<>"',;:()]+)>?/i,
  ]
  for (const pattern of patterns) {
    const found = usable(pattern.exec(prose)?.[1])
    if (found) return found
  }
  for (const m of prose.matchAll(ADDRESS)) {
    const found = usable(m[0])
    if (found) return found
  }
  return null
}

/** Reads a feedback-loop report (RFC 5965): who complained about which of our e-mails. */
function readComplaint(mail: InboundMail, raw: Buffer): ComplaintInfo {
  const text = reportText(mail, raw)
  const feedbackType = /^Feedback-Type:[ \t]*([\w-]+)/im.exec(text)?.[1]?.toLowerCase() ?? 'abuse'
  const recipient = /^Original-Rcpt-To:[ \t]*<?([^\s<>]+@[^\s<>]+)/im.exec(text)?.[1]?.toLowerCase() ?? null
  return { recipient, feedbackType, originalMessageIds: returnedMessageIds(mail, text) }
}

const ROBOT_LOCAL_PART = /^(no-?reply|do-?not-?reply|donotreply|mailer-daemon|postmaster|bounces?|notifications?|alerts?)([+._-]|$)/i

/**
 * A sender that is a robot even when its message is not an auto-reply: a mailing list or
 * newsletter, a no-reply address, a message with an empty envelope sender. Its message still
 * becomes a conversation, but nothing is sent back to it automatically.
 */
export function isAutomaticSender(mail: InboundMail, envelopeFrom: string | null): boolean {
  if (hasNullSender(mail, null, envelopeFrom)) return true
  // mailparser gathers the List-* headers under `list`.
  if (['list', 'list-id', 'list-unsubscribe'].some((name) => mail.headers.has(name))) return true
  const local = mail.from?.address.split('@')[0] ?? ''
  return ROBOT_LOCAL_PART.test(local)
}
