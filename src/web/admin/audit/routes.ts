import { Router } from 'express'
import { z } from 'zod'
import { listAudit } from '../../../domain/audit/listAudit.ts'
import type { AppContext } from '../../context.ts'
import { requireAdmin, requireAgent } from '../../middleware/auth.ts'
import { presentAuditLog } from '../../presenters/auditLog.ts'

const listQuery = z.object({ before: z.coerce.number().int().positive().max(2_147_483_647).optional().catch(undefined) })

/** Settings › Audit log: who did what to agents, folders, tags and settings, and when. */
export function auditAdminRouter(ctx: AppContext): Router {
  const router = Router()
  router.use('/settings/audit', requireAgent, requireAdmin)

  router.get('/settings/audit', async (req, res) => {
    const { before } = listQuery.parse(req.query)
    const page = await listAudit(ctx.domain, req.agent!, { before })
    res.render('admin/audit', presentAuditLog(page, before, ctx.clock(), req.t, req.formats))
  })

  return router
}
