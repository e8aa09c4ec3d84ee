import { OUTBOX_STATUSES, type OutboxPage, type OutboxStatus } from '../../domain/outbox/listOutbox.ts'
import type { OutboxEmailView } from '../../domain/outbox/outboxEmail.ts'
import { age } from './conversationRow.ts'

const STATUS_LABELS: Record<OutboxStatus, string> = { queued: 'Queued', sending: 'Sending', sent: 'Sent', failed: 'Failed' }
// Existing badge hues (.tag-* only set the colour variables, so they combine with .status).
const STATUS_BADGES: Record<OutboxStatus, string> = { queued: 'tag-amber', sending: 'tag-blue', sent: 'tag-green', failed: 'tag-red' }
const KIND_LABELS: Record<string, string> = {
  agent_reply: 'Reply to a customer',
  notification: 'Agent notification',
  reminder: 'Reminder',
  closing: 'Closing note',
  confirmation: 'Confirmation',
  password_reset: 'Password reset',
  invitation: 'Invitation',
}

const OUTBOX_PATH = '/settings/outbox'

function when(date: Date | null, now: Date) {
  if (!date) return null
  const a = age(date, now)
  const future = date.getTime() > now.getTime()
  return {
    iso: date.toISOString(),
    label: `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    relative: future ? `in ${age(now, date) === 'now' ? 'a moment' : age(now, date)}` : a === 'now' ? 'just now' : `${a} ago`,
  }
}

function badge(status: OutboxStatus) {
  return { status, label: STATUS_LABELS[status], className: STATUS_BADGES[status] }
}

function listHref(status?: string, before?: number) {
  const params = new URLSearchParams()
  if (status) params.set('status', status)
  if (before) params.set('before', String(before))
  const qs = params.toString()
  return qs ? `${OUTBOX_PATH}?${qs}` : OUTBOX_PATH
}

/** Settings › Outbox: the filter tabs with their counts, one row per e-mail, the page links. */
export function presentOutboxList(page: OutboxPage, query: { status?: OutboxStatus; before?: number }, now: Date, smtpConfigured: boolean) {
  const total = OUTBOX_STATUSES.reduce((sum, s) => sum + page.counts[s], 0)
  return {
    title: query.status ? `Outbox: ${STATUS_LABELS[query.status].toLowerCase()}` : 'Outbox',
    nav: 'settings',
    smtpConfigured,
    filters: [
      { label: 'All', count: total, href: listHref(), current: !query.status },
      ...OUTBOX_STATUSES.map((s) => ({ label: STATUS_LABELS[s], count: page.counts[s], href: listHref(s), current: query.status === s })),
    ],
    failedCount: page.counts.failed,
    filtered: Boolean(query.status),
    rows: page.rows.map((r) => ({
      id: r.id,
      href: `${OUTBOX_PATH}/${r.id}`,
      to: r.toAddress,
      subject: r.subject || '(no subject)',
      kind: KIND_LABELS[r.kind] ?? r.kind,
      badge: badge(r.status),
      attempts: r.attempts,
      created: when(r.createdAt, now)!,
      next:
        r.status === 'sent'
          ? { label: 'Sent', at: when(r.sentAt, now) }
          : r.status === 'queued'
            ? { label: 'Next attempt', at: when(r.nextAttemptAt, now) }
            : null,
      lastError: r.status === 'sent' ? null : r.lastError,
    })),
    olderHref: page.olderBefore !== null ? listHref(query.status, page.olderBefore) : null,
    newestHref: query.before ? listHref(query.status) : null,
  }
}

/** One outbox e-mail as the message page shows it; `mailFrom` names the sender of those stored without one. */
export function presentOutboxEmail(email: OutboxEmailView, now: Date, options: { smtpConfigured: boolean; mailFrom: string }) {
  return {
    title: email.subject || '(no subject)',
    nav: 'settings',
    smtpConfigured: options.smtpConfigured,
    email: {
      id: email.id,
      subject: email.subject || '(no subject)',
      from: email.fromAddress ?? options.mailFrom,
      to: email.toAddress,
      messageId: email.messageId,
      kind: KIND_LABELS[email.kind] ?? email.kind,
      badge: badge(email.status),
      attempts: email.attempts,
      created: when(email.createdAt, now)!,
      nextAttempt: email.status === 'queued' ? when(email.nextAttemptAt, now) : null,
      sent: when(email.sentAt, now),
      lastError: email.lastError,
      conversation: email.conversation ? { number: email.conversation.number, href: `/conversations/${email.conversation.number}` } : null,
      headers: email.headers,
      text: email.text,
      hasHtml: email.html.trim() !== '',
      htmlHref: `${OUTBOX_PATH}/${email.id}/html`,
      attachments: email.attachments.map((a, index) => ({
        fileName: a.fileName,
        mimeType: a.mimeType,
        inline: Boolean(a.contentId),
        href: `${OUTBOX_PATH}/${email.id}/attachments/${index}`,
      })),
      retryable: email.status === 'failed' || email.status === 'queued',
    },
  }
}
