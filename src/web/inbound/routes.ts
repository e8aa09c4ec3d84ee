import { timingSafeEqual, createHash } from 'node:crypto'
import express, { Router } from 'express'
import { storeRawMessage } from '../../mail/inbound/intake.ts'
import type { IntakeQueue } from '../../mail/inbound/intakeQueue.ts'
import type { AppContext } from '../context.ts'

const digest = (s: string) => createHash('sha256').update(s).digest()

/**
 * POST /inbound/raw: an RFC 5322 message in the body, `Authorization: Bearer <INBOUND_SECRET>`.
 * For mail gateways and scripts; answers 202 once the raw message is committed.
 */
export function inboundRouter(ctx: AppContext, queue: IntakeQueue): Router {
  const router = Router()
  const secret = ctx.config.inboundSecret
  router.post('/inbound/raw', express.raw({ type: () => true, limit: ctx.config.inboundMaxBytes }), async (req, res) => {
    if (!secret) return res.status(404).json({ error: 'Not found' })
    const given = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? ''
    if (!timingSafeEqual(digest(given), digest(secret))) return res.status(401).json({ error: 'Wrong or missing secret' })
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)
    if (raw.length === 0) return res.status(400).json({ error: 'The body must be the raw e-mail message' })
    const id = await storeRawMessage(ctx.db.prisma, { source: 'http', raw, envelopeTo: [] })
    queue.push(id)
    res.status(202).json({ id, status: 'received' })
  })
  return router
}
