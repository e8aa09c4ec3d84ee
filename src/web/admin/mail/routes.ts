import { Router, type Response } from 'express'
import { z } from 'zod'
import { NotFoundError } from '../../../domain/errors.ts'
import { listOutbox, OUTBOX_STATUSES } from '../../../domain/outbox/listOutbox.ts'
import { getOutboxAttachment, getOutboxEmail, getOutboxEmailHtml } from '../../../domain/outbox/outboxEmail.ts'
import { retryEmail, retryFailedEmails } from '../../../domain/outbox/retryOutbox.ts'
import type { AppContext } from '../../context.ts'
import { requireAdmin, requireAgent } from '../../middleware/auth.ts'
import { flash } from '../../middleware/flash.ts'
import { presentOutboxEmail, presentOutboxList } from '../../presenters/outbox.ts'

export interface MailAdminOptions {
  /** False when SMTP_URL is unset: the page then says mail is kept, not sent. */
  smtpConfigured: boolean
  /** Asks the outbox worker for a pass now, after a retry. */
  kickOutbox?: () => void
}

const id = z.coerce.number().int().positive().max(2_147_483_647)
const listQuery = z.object({
  status: z.enum(OUTBOX_STATUSES).optional().catch(undefined),
  before: id.optional().catch(undefined),
})
const idParam = z.object({ id })
const attachmentParam = z.object({ id, index: z.coerce.number().int().min(0).max(10_000) })

/** The HTML version is shown in a sandboxed frame; it may carry nothing active and reach nothing. */
const HTML_PREVIEW_CSP = "default-src 'none'; img-src data: cid:; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox"

function parseParams<T extends z.ZodType>(schema: T, params: unknown): z.infer<T> {
  const parsed = schema.safeParse(params)
  if (!parsed.success) throw new NotFoundError()
  return parsed.data
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
  router.use('/settings/outbox', requireAgent, requireAdmin)

  router.get('/settings/outbox', async (req, res) => {
    const query = listQuery.parse(req.query)
    const page = await listOutbox(ctx.domain, req.agent!, query)
    res.render('admin/outbox', presentOutboxList(page, query, ctx.clock(), options.smtpConfigured, req.t, req.formats))
  })

  router.post('/settings/outbox/retry-failed', async (req, res) => {
    const count = await retryFailedEmails(ctx.domain, req.agent!)
    if (count) options.kickOutbox?.()
    if (count) flash(req, 'success', 'admin.outbox.retryingFailed', { count })
    else flash(req, 'info', 'admin.outbox.nothingToRetry')
    res.redirect(303, '/settings/outbox')
  })

  router.get('/settings/outbox/:id', async (req, res) => {
    const { id: outboxId } = parseParams(idParam, req.params)
    const email = await getOutboxEmail(ctx.domain, req.agent!, outboxId)
    res.render(
      'admin/outbox-message',
      presentOutboxEmail(email, ctx.clock(), { smtpConfigured: options.smtpConfigured, mailFrom: ctx.config.mailFrom }, req.t, req.formats),
    )
  })

  // The HTML version on its own, for the sandboxed frame of the message page: no script, no
  // request anywhere, an opaque origin, whatever the HTML holds.
  router.get('/settings/outbox/:id/html', async (req, res) => {
    const { id: outboxId } = parseParams(idParam, req.params)
    const html = await getOutboxEmailHtml(ctx.domain, req.agent!, outboxId)
    noStore(res)
    res.setHeader('Content-Security-Policy', HTML_PREVIEW_CSP)
    res.setHeader('X-Frame-Options', 'SAMEORIGIN')
    res.setHeader('Content-Type', 'text/html; charset=utf-8')
    res.send(html)
  })

  router.get('/settings/outbox/:id/attachments/:index', async (req, res) => {
    const attachment = await getOutboxAttachment(ctx.domain, req.agent!, parseParams(attachmentParam, req.params))
    noStore(res)
    // Always a download: the file never renders in the app's origin.
    res.setHeader('Content-Type', 'application/octet-stream')
    res.setHeader('Content-Disposition', contentDisposition(attachment.fileName))
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox")
    res.setHeader('Content-Length', String(attachment.data.length))
    res.end(attachment.data)
  })

  router.post('/settings/outbox/:id/retry', async (req, res) => {
    const { id: outboxId } = parseParams(idParam, req.params)
    const outcome = await retryEmail(ctx.domain, req.agent!, { id: outboxId })
    if (!outcome.retried) {
      flash(req, 'error', outcome.status === 'sent' ? 'admin.outbox.alreadySent' : 'admin.outbox.beingSent')
    } else {
      options.kickOutbox?.()
      flash(req, 'success', options.smtpConfigured ? 'admin.outbox.retrying' : 'admin.outbox.requeued')
    }
    res.redirect(303, `/settings/outbox/${outboxId}`)
  })

  return router
}
