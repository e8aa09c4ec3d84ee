import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser'

export interface InboundAttachment {
  fileName: string
  contentType: string
  data: Buffer
  /** Content-ID without angle brackets, when the part has one. */
  cid: string | null
  /** Shown in the body (multipart/related or Content-Disposition: inline) rather than attached. */
  related: boolean
}

export interface Mailbox {
  address: string
  name: string
}

/** An e-mail reduced to what the help desk uses; every field present, whatever the input. */
export interface InboundMail {
  messageId: string | null
  inReplyTo: string | null
  references: string[]
  from: Mailbox | null
  to: Mailbox[]
  cc: Mailbox[]
  replyTo: Mailbox[]
  subject: string
  date: Date | null
  text: string
  html: string | null
  attachments: InboundAttachment[]
  /** Lower-cased header names to their raw string values. */
  headers: Map<string, string>
}

function mailboxes(value: AddressObject | AddressObject[] | undefined): Mailbox[] {
  const list = Array.isArray(value) ? value : value ? [value] : []
  const out: Mailbox[] = []
  const walk = (entries: { address?: string; name?: string; group?: unknown[] }[]) => {
    for (const e of entries) {
      if (e.group) walk(e.group as typeof entries)
      else if (e.address && e.address.includes('@')) out.push({ address: e.address.trim().toLowerCase(), name: (e.name ?? '').trim() })
    }
  }
  for (const obj of list) walk(obj.value)
  return out
}

const MESSAGE_ID = /<[^<>\s]+>/g

function messageIds(value: string | string[] | undefined): string[] {
  const joined = Array.isArray(value) ? value.join(' ') : (value ?? '')
  return joined.match(MESSAGE_ID) ?? []
}

function headerText(value: unknown): string {
  if (value === undefined || value === null) return ''
  if (typeof value === 'string') return value
  if (value instanceof Date) return value.toISOString()
  if (Array.isArray(value)) return value.map(headerText).join(', ')
  if (typeof value === 'object') {
    const v = value as { value?: unknown; text?: string; params?: Record<string, string> }
    if (typeof v.text === 'string') return v.text
    if (typeof v.value === 'string') return [v.value, ...Object.entries(v.params ?? {}).map(([k, p]) => `${k}=${p}`)].join('; ')
  }
  return String(value)
}

/** Parses raw RFC 5322 bytes; mailparser is lenient, so malformed mail still yields what it can. */
export async function parseMail(raw: Buffer): Promise<InboundMail> {
  const parsed: ParsedMail = await simpleParser(raw, { skipImageLinks: true, skipTextLinks: true, keepCidLinks: true })
  const headers = new Map<string, string>()
  for (const [key, value] of parsed.headers) headers.set(key.toLowerCase(), headerText(value))
  const from = mailboxes(parsed.from)[0] ?? null
  return {
    messageId: messageIds(parsed.messageId)[0] ?? null,
    inReplyTo: messageIds(parsed.inReplyTo).at(-1) ?? null,
    references: messageIds(parsed.references),
    from,
    to: mailboxes(parsed.to),
    cc: mailboxes(parsed.cc),
    replyTo: mailboxes(parsed.replyTo),
    subject: (parsed.subject ?? '').replace(/[\u0000-\u001f\u007f]+/g, ' ').trim(),
    date: parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date : null,
    text: parsed.text ?? '',
    html: typeof parsed.html === 'string' && parsed.html.trim() ? parsed.html : null,
    attachments: parsed.attachments.map((a, i) => ({
      fileName: a.filename?.trim() || `attachment-${i + 1}${extensionFor(a.contentType)}`,
      contentType: a.contentType || 'application/octet-stream',
      data: a.content,
      cid: a.cid ? a.cid.replace(/^<|>$/g, '') : null,
      related: Boolean(a.related) || (a.contentDisposition === 'inline' && Boolean(a.cid)),
    })),
    headers,
  }
}

function extensionFor(type: string): string {
  const known: Record<string, string> = {
    'message/rfc822': '.eml',
    'message/delivery-status': '.txt',
    'text/plain': '.txt',
    'text/html': '.html',
    'text/calendar': '.ics',
    'image/png': '.png',
    'image/jpeg': '.jpg',
    'image/gif': '.gif',
    'application/pdf': '.pdf',
  }
  return known[type] ?? ''
}
