import { Router } from 'express'
import { z } from 'zod'
import { INLINE_IMAGE_TYPES } from '../../../domain/attachments/storeAttachment.ts'
import { findVisibleAttachment } from '../../../domain/attachments/findVisibleAttachment.ts'
import { folderScope } from '../../../domain/policy.ts'
import { NotFoundError } from '../../../domain/errors.ts'
import type { AppContext } from '../../context.ts'
import { requireAgent } from '../../middleware/auth.ts'

const params = z.object({ id: z.coerce.number().int().positive().max(2_147_483_647) })

/** RFC 6266 / 5987: an ASCII fallback plus the exact UTF-8 name. */
function contentDisposition(kind: 'inline' | 'attachment', fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_')
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`
}

export function attachmentsRouter(ctx: AppContext): Router {
  const router = Router()
  const { prisma } = ctx.db

  router.get(['/attachments/:id', '/attachments/:id/:name'], requireAgent, async (req, res) => {
    const parsed = params.safeParse(req.params)
    if (!parsed.success) throw new NotFoundError()
    const { id } = parsed.data
    const scope = await folderScope(prisma, req.agent!)
    const { attachment, data } = await findVisibleAttachment(prisma, scope, id)
    // Only plain raster images are shown in the page; everything else (SVG and HTML included)
    // is a download that the browser neither renders nor sniffs.
    const inline = INLINE_IMAGE_TYPES.has(attachment.mimeType)
    res.setHeader('Content-Type', inline ? attachment.mimeType : 'application/octet-stream')
    res.setHeader('Content-Disposition', contentDisposition(inline && req.query.download === undefined ? 'inline' : 'attachment', attachment.fileName))
    res.setHeader('X-Content-Type-Options', 'nosniff')
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox")
    res.setHeader('Cache-Control', 'private, max-age=3600')
    res.setHeader('Content-Length', String(data.length))
    res.end(data)
  })

  return router
}
