import { Router } from 'express'
import { z } from 'zod'
import { NotFoundError } from '../../../domain/errors.ts'
import { findInboundMessage, getRawInboundMessage, INBOUND_STATUSES, listInboundMessages } from '../../../domain/mail/inboundMessages.ts'
import { processInboundMessage } from '../../../mail/inbound/intake.ts'
import type { AppContext } from '../../context.ts'
import { requireAdmin, requireAgent } from '../../middleware/auth.ts'
import type { MessageKey } from '../../../i18n/translate.ts'
import { flash } from '../../middleware/flash.ts'

const idParam = z.object({ id: z.coerce.number().int().positive().max(2_147_483_647) })
const statusQuery = z.object({ status: z.enum(INBOUND_STATUSES).optional().catch(undefined) })

/** The filter tabs after "All", in their order. */
const INBOUND_FILTERS = [
  ['failed', 'admin.inbound.status.failed'],
  ['received', 'admin.inbound.status.received'],
  ['processed', 'admin.inbound.status.processed'],
] as const satisfies readonly (readonly [(typeof INBOUND_STATUSES)[number], MessageKey])[]

/** Received e-mail as stored, for admins: what failed and why, the raw message, re-processing. */
export function inboundAdminRouter(ctx: AppContext): Router {
  const router = Router()
  router.use('/settings/inbound', requireAgent, requireAdmin)

  router.get('/settings/inbound', async (req, res) => {
    const { status } = statusQuery.parse(req.query)
    const { rows, counts } = await listInboundMessages(ctx.domain, req.agent!, { status })
    res.render('admin/inbound', {
      title: req.t('admin.inbound.title'),
      nav: 'settings',
      statuses: INBOUND_FILTERS.map(([value, label]) => ({ value, label: req.t(label) })),
      rows,
      counts,
      status: status ?? '',
    })
  })

  router.get('/settings/inbound/:id/raw', async (req, res) => {
    const parsed = idParam.safeParse(req.params)
    if (!parsed.success) throw new NotFoundError()
    const raw = await getRawInboundMessage(ctx.domain, req.agent!, parsed.data.id)
    res.setHeader('Content-Type', 'message/rfc822')
    res.setHeader('Content-Disposition', `attachment; filename="message-${parsed.data.id}.eml"`)
    res.setHeader('X-Content-Type-Options', 'nosniff')
    res.end(raw)
  })

  router.post('/settings/inbound/:id/reprocess', async (req, res) => {
    const parsed = idParam.safeParse(req.params)
    if (!parsed.success) throw new NotFoundError()
    const row = await findInboundMessage(ctx.domain, req.agent!, parsed.data.id)
    const outcome = await processInboundMessage(ctx.domain, row.id, req.log, { again: true })
    // An id is a name, not a quantity: no digit grouping.
    if (outcome.status === 'processed') flash(req, 'success', 'admin.inbound.processed', { id: String(row.id) })
    else flash(req, 'error', 'admin.inbound.stillFails', { id: String(row.id), error: outcome.error })
    res.redirect(303, '/settings/inbound')
  })

  return router
}
