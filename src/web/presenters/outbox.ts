import { OUTBOX_STATUSES, type OutboxPage, type OutboxStatus } from '../../domain/outbox/listOutbox.ts'
import type { OutboxEmailView } from '../../domain/outbox/outboxEmail.ts'
import type { Formats } from '../../i18n/format.ts'
import type { MessageKey, Translate } from '../../i18n/translate.ts'

const STATUS_LABELS: Record<OutboxStatus, MessageKey> = {
  queued: 'admin.outbox.status.queued',
  sending: 'admin.outbox.status.sending',
  sent: 'admin.outbox.status.sent',
  failed: 'admin.outbox.status.failed',
}
// Existing badge hues (.tag-* only set the colour variables, so they combine with .status).
const STATUS_BADGES: Record<OutboxStatus, string> = { queued: 'tag-amber', sending: 'tag-blue', sent: 'tag-green', failed: 'tag-red' }
const KIND_LABELS: Record<string, MessageKey> = {
  agent_reply: 'admin.outbox.kind.agentReply',
  notification: 'admin.outbox.kind.notification',
  reminder: 'admin.outbox.kind.reminder',
  closing: 'admin.outbox.kind.closing',
  confirmation: 'admin.outbox.kind.confirmation',
  password_reset: 'admin.outbox.kind.passwordReset',
  invitation: 'admin.outbox.kind.invitation',
}

const OUTBOX_PATH = '/settings/outbox'

/** A moment as the pages show it: relative ("3 hr. ago", "in 2 min."), the full date and time on hover. */
function when(date: Date | null, now: Date, fmt: Formats) {
  if (!date) return null
  return { iso: date.toISOString(), full: fmt.full(date), relative: fmt.relative(date, now) }
}

function badge(status: OutboxStatus, t: Translate) {
  return { status, label: t(STATUS_LABELS[status]), className: STATUS_BADGES[status] }
}

const kindLabel = (kind: string, t: Translate) => (KIND_LABELS[kind] ? t(KIND_LABELS[kind]) : kind)

function listHref(status?: string, before?: number) {
  const params = new URLSearchParams()
  if (status) params.set('status', status)
  if (before) params.set('before', String(before))
  const qs = params.toString()
  return qs ? `${OUTBOX_PATH}?${qs}` : OUTBOX_PATH
}

/** Settings › Outbox: the filter tabs with their counts, one row per e-mail, the page links. */
export function presentOutboxList(
  page: OutboxPage,
  query: { status?: OutboxStatus; before?: number },
  now: Date,
  smtpConfigured: boolean,
  t: Translate,
  fmt: Formats,
) {
  const total = OUTBOX_STATUSES.reduce((sum, s) => sum + page.counts[s], 0)
  return {
    title: query.status ? t('admin.outbox.titleFiltered', { status: query.status }) : t('admin.outbox.title'),
    nav: 'settings',
    smtpConfigured,
    filters: [
      { label: t('admin.outbox.all'), count: total, href: listHref(), current: !query.status },
      ...OUTBOX_STATUSES.map((s) => ({ label: t(STATUS_LABELS[s]), count: page.counts[s], href: listHref(s), current: query.status === s })),
    ],
    failedCount: page.counts.failed,
    filtered: Boolean(query.status),
    rows: page.rows.map((r) => ({
      id: r.id,
      href: `${OUTBOX_PATH}/${r.id}`,
      to: r.toAddress,
      subject: r.subject || t('admin.noSubject'),
      kind: kindLabel(r.kind, t),
      badge: badge(r.status, t),
      attempts: r.attempts,
      created: when(r.createdAt, now, fmt)!,
      // The sentence around the time ("Sent {when}"); the view puts the time in its <time> element.
      next:
        r.status === 'sent'
          ? { message: 'admin.outbox.sentAt' as const, at: when(r.sentAt, now, fmt) }
          : r.status === 'queued'
            ? { message: 'admin.outbox.nextAttemptAt' as const, at: when(r.nextAttemptAt, now, fmt) }
            : null,
      lastError: r.status === 'sent' ? null : r.lastError,
    })),
    olderHref: page.olderBefore !== null ? listHref(query.status, page.olderBefore) : null,
    newestHref: query.before ? listHref(query.status) : null,
  }
}

/** One outbox e-mail as the message page shows it; `mailFrom` names the sender of those stored without one. */
export function presentOutboxEmail(email: OutboxEmailView, now: Date, options: { smtpConfigured: boolean; mailFrom: string }, t: Translate, fmt: Formats) {
  const subject = email.subject || t('admin.noSubject')
  return {
    title: subject,
    nav: 'settings',
    smtpConfigured: options.smtpConfigured,
    email: {
      id: email.id,
      subject,
      from: email.fromAddress ?? options.mailFrom,
      to: email.toAddress,
      messageId: email.messageId,
      kind: kindLabel(email.kind, t),
      badge: badge(email.status, t),
      attempts: email.attempts,
      created: when(email.createdAt, now, fmt)!,
      nextAttempt: email.status === 'queued' ? when(email.nextAttemptAt, now, fmt) : null,
      sent: when(email.sentAt, now, fmt),
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
