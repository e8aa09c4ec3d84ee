import { Router } from 'express'
import { z } from 'zod'
import { findVisibleAttachment } from '../../../domain/attachments/findVisibleAttachment.ts'
import { NotFoundError } from '../../../domain/errors.ts'
import { folderScope } from '../../../domain/policy.ts'
import type { AppContext } from '../../context.ts'
import { requireAgent } from '../../middleware/auth.ts'
import { sendAttachment } from '../../sendAttachment.ts'

const params = z.object({ id: z.coerce.number().int().positive().max(2_147_483_647) })

export function attachmentsRouter(ctx: AppContext): Router {
  const router = Router()
  router.get(['/attachments/:id', '/attachments/:id/:name'], requireAgent, async (req, res) => {
    const parsed = params.safeParse(req.params)
    if (!parsed.success) throw new NotFoundError()
    const scope = await folderScope(ctx.db.prisma, req.agent!)
    const { attachment, data } = await findVisibleAttachment(ctx.db.prisma, scope, parsed.data.id)
    sendAttachment(res, attachment, data, req.query.download !== undefined)
  })
  return router
}
