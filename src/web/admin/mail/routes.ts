import { Router, type Response } from 'express'
import { z } from 'zod'
import { NotFoundError } from '../../../domain/errors.ts'
import type { OutboxStatus } from '../../../generated/prisma/enums.ts'
import type { AppContext } from '../../context.ts'
import { requireAdmin, requireAgent } from '../../middleware/auth.ts'
import { flash } from '../../middleware/flash.ts'
import { age } from '../../presenters/conversationRow.ts'
import { forgetOutboxFailures } from '../../../mail/outbound/outboxHealth.ts'

export interface MailAdminOptions {
  /** False when SMTP_URL is unset: the page then says mail is kept, not sent. */
  smtpConfigured: boolean
  /** Asks the outbox worker for a pass now, after a retry. */
  kickOutbox?: () => void
}

const PAGE_SIZE = 100
const STATUSES = ['queued', 'sending', 'sent', 'failed'] as const satisfies readonly OutboxStatus[]
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

const id = z.coerce.number().int().positive().max(2_147_483_647)
const listQuery = z.object({
  status: z.enum(STATUSES).optional().catch(undefined),
  before: id.optional().catch(undefined),
})
const idParam = z.object({ id })
const attachmentParam = z.object({ id, index: z.coerce.number().int().min(0).max(10_000) })
const storedAttachments = z.array(z.object({ blobSha256: z.string(), fileName: z.string(), mimeType: z.string(), contentId: z.string().nullish() })).catch([])

/** The HTML version is shown in a sandboxed frame; it may carry nothing active and reach nothing. */
const HTML_PREVIEW_CSP = "default-src 'none'; img-src data: cid:; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox"

function parseParams<T extends z.ZodType>(schema: T, params: unknown): z.infer<T> {
  const parsed = schema.safeParse(params)
  if (!parsed.success) throw new NotFoundError()
  return parsed.data
}

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

/** RFC 6266 / 5987: an ASCII fallback plus the exact UTF-8 name. */
function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_')
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`
}

function noStore(res: Response) {
  res.setHeader('Cache-Control', 'private, no-store')
  res.setHeader('X-Content-Type-Options', 'nosniff')
}

/** Settings › Outbox: what the help desk sent or will send, for administrators. */
export function mailAdminRouter(ctx: AppContext, options: MailAdminOptions): Router {
  const router = Router()
  const { prisma } = ctx.db
  router.use('/settings/outbox', requireAgent, requireAdmin)

  router.get('/settings/outbox', async (req, res) => {
    const query = listQuery.parse(req.query)
    const [rows, grouped] = await Promise.all([
      prisma.outboxEmail.findMany({
        where: { ...(query.status ? { status: query.status } : {}), ...(query.before ? { id: { lt: query.before } } : {}) },
        orderBy: { id: 'desc' },
        take: PAGE_SIZE + 1,
        select: { id: true, kind: true, toAddress: true, subject: true, status: true, attempts: true, nextAttemptAt: true, sentAt: true, createdAt: true, lastError: true },
      }),
      prisma.outboxEmail.groupBy({ by: ['status'], _count: { _all: true } }),
    ])
    const now = ctx.clock()
    const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<OutboxStatus, number>
    for (const g of grouped) counts[g.status] = g._count._all
    const total = STATUSES.reduce((sum, s) => sum + counts[s], 0)
    const page = rows.slice(0, PAGE_SIZE)
    const href = (status?: string, before?: number) => {
      const params = new URLSearchParams()
      if (status) params.set('status', status)
      if (before) params.set('before', String(before))
      const qs = params.toString()
      return qs ? `/settings/outbox?${qs}` : '/settings/outbox'
    }
    res.render('admin/outbox', {
      title: query.status ? `Outbox: ${STATUS_LABELS[query.status].toLowerCase()}` : 'Outbox',
      nav: 'settings',
      smtpConfigured: options.smtpConfigured,
      filters: [
        { label: 'All', count: total, href: href(), current: !query.status },
        ...STATUSES.map((s) => ({ label: STATUS_LABELS[s], count: counts[s], href: href(s), current: query.status === s })),
      ],
      failedCount: counts.failed,
      filtered: Boolean(query.status),
      rows: page.map((r) => ({
        id: r.id,
        href: `/settings/outbox/${r.id}`,
        to: r.toAddress,
        subject: r.subject || '(no subject)',
        kind: KIND_LABELS[r.kind] ?? r.kind,
        badge: badge(r.status),
        attempts: r.attempts,
        created: when(r.createdAt, now)!,
        next: r.status === 'sent' ? { label: 'Sent', at: when(r.sentAt, now) } : r.status === 'queued' ? { label: 'Next attempt', at: when(r.nextAttemptAt, now) } : null,
        lastError: r.status === 'sent' ? null : r.lastError,
      })),
      olderHref: rows.length > PAGE_SIZE ? href(query.status, page.at(-1)!.id) : null,
      newestHref: query.before ? href(query.status) : null,
    })
  })

  router.post('/settings/outbox/retry-failed', async (req, res) => {
    const now = ctx.clock()
    const count = await prisma.$transaction(async (tx) => {
      const { count } = await tx.outboxEmail.updateMany({ where: { status: 'failed' }, data: { status: 'queued', attempts: 0, nextAttemptAt: now, lockedUntil: null } })
      if (count) await tx.auditEvent.create({ data: { actorAgentId: req.agent!.id, action: 'outbox.retried', targetType: 'outbox', data: { failed: count } } })
      return count
    })
    if (count) options.kickOutbox?.()
    forgetOutboxFailures(prisma)
    flash(req, count ? 'success' : 'info', count === 0 ? 'No failed e-mail to send again.' : count === 1 ? '1 failed e-mail will be sent again.' : `${count} failed e-mails will be sent again.`)
    res.redirect(303, '/settings/outbox')
  })

  router.get('/settings/outbox/:id', async (req, res) => {
    const { id: outboxId } = parseParams(idParam, req.params)
    const email = await prisma.outboxEmail.findUnique({ where: { id: outboxId }, include: { conversation: { select: { number: true } } } })
    if (!email) throw new NotFoundError()
    const now = ctx.clock()
    const headers = email.headers && typeof email.headers === 'object' && !Array.isArray(email.headers) ? Object.entries(email.headers).map(([name, value]) => ({ name, value: String(value) })) : []
    res.render('admin/outbox-message', {
      title: email.subject || '(no subject)',
      nav: 'settings',
      smtpConfigured: options.smtpConfigured,
      email: {
        id: email.id,
        subject: email.subject || '(no subject)',
        from: email.fromAddress ?? ctx.config.mailFrom,
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
        headers,
        text: email.text,
        hasHtml: email.html.trim() !== '',
        htmlHref: `/settings/outbox/${email.id}/html`,
        attachments: storedAttachments.parse(email.attachments).map((a, index) => ({
          fileName: a.fileName,
          mimeType: a.mimeType,
          inline: Boolean(a.contentId),
          href: `/settings/outbox/${email.id}/attachments/${index}`,
        })),
        retryable: email.status === 'failed' || email.status === 'queued',
      },
    })
  })

  // The HTML version on its own, for the sandboxed frame of the message page: no script, no
  // request anywhere, an opaque origin, whatever the HTML holds.
  router.get('/settings/outbox/:id/html', async (req, res) => {
    const { id: outboxId } = parseParams(idParam, req.params)
    const email = await prisma.outboxEmail.findUnique({ where: { id: outboxId }, select: { html: true } })
    if (!email) throw new NotFoundError()
    noStore(res)
    res.setHeader('Content-Security-Policy', HTML_PREVIEW_CSP)
    res.setHeader('X-Frame-Options', 'SAMEORIGIN')
    res.setHeader('Content-Type', 'text/html; charset=utf-8')
    res.send(email.html)
  })

  router.get('/settings/outbox/:id/attachments/:index', async (req, res) => {
    const { id: outboxId, index } = parseParams(attachmentParam, req.params)
    const email = await prisma.outboxEmail.findUnique({ where: { id: outboxId }, select: { attachments: true } })
    const attachment = email ? storedAttachments.parse(email.attachments)[index] : undefined
    if (!attachment) throw new NotFoundError()
    const blob = await prisma.blob.findUnique({ where: { sha256: attachment.blobSha256 }, select: { data: true } })
    if (!blob) throw new NotFoundError('This attachment is no longer stored.')
    const data = Buffer.from(blob.data.buffer, blob.data.byteOffset, blob.data.byteLength)
    noStore(res)
    // Always a download: the file never renders in the app's origin.
    res.setHeader('Content-Type', 'application/octet-stream')
    res.setHeader('Content-Disposition', contentDisposition(attachment.fileName))
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox")
    res.setHeader('Content-Length', String(data.length))
    res.end(data)
  })

  // Attempts start again from zero, so a retried e-mail gets the full series of attempts (and
  // back-off) instead of failing at its next error. The last error stays until the next attempt.
  router.post('/settings/outbox/:id/retry', async (req, res) => {
    const { id: outboxId } = parseParams(idParam, req.params)
    const now = ctx.clock()
    const retried = await prisma.$transaction(async (tx) => {
      const { count } = await tx.outboxEmail.updateMany({
        where: { id: outboxId, status: { in: ['failed', 'queued'] } },
        data: { status: 'queued', attempts: 0, nextAttemptAt: now, lockedUntil: null },
      })
      if (count) await tx.auditEvent.create({ data: { actorAgentId: req.agent!.id, action: 'outbox.retried', targetType: 'outbox', targetId: String(outboxId) } })
      return count > 0
    })
    forgetOutboxFailures(prisma)
    if (!retried) {
      const exists = await prisma.outboxEmail.findUnique({ where: { id: outboxId }, select: { status: true } })
      if (!exists) throw new NotFoundError()
      flash(req, 'error', exists.status === 'sent' ? 'This e-mail was already sent.' : 'This e-mail is being sent right now.')
    } else {
      options.kickOutbox?.()
      flash(req, 'success', options.smtpConfigured ? 'The e-mail will be sent again in a moment.' : 'The e-mail is queued again; it will be sent once SMTP is configured.')
    }
    res.redirect(303, `/settings/outbox/${outboxId}`)
  })

  return router
}
