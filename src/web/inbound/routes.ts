import { timingSafeEqual, createHash } from 'node:crypto'
import express, { Router, type RequestHandler } from 'express'
import { receiveRawMessage } from '../../mail/inbound/intake.ts'
import type { IntakeQueue } from '../../mail/inbound/intakeQueue.ts'
import { translator } from '../../i18n/translate.ts'
import type { AppContext } from '../context.ts'
import { browserLanguage } from '../middleware/language.ts'

const digest = (s: string) => createHash('sha256').update(s).digest()

/** A body that stops arriving for this long is cut off: a client may not hold memory and a socket open for free. */
export const INBOUND_BODY_IDLE_MS = 10_000

/**
 * POST /inbound/raw: an RFC 5322 message in the body, `Authorization: Bearer <INBOUND_SECRET>`.
 * For mail gateways and scripts; answers 202 once the raw message is committed. Without
 * INBOUND_SECRET the route does not exist.
 */
export function inboundRouter(ctx: AppContext, queue: IntakeQueue): Router {
  const router = Router()
  const secret = ctx.config.inboundSecret
  if (!secret) return router

  // The secret is checked from the headers, before a byte of the body is read or buffered.
  // Answers to a gateway or a script, ahead of the pages' language middleware: in the language the client asks for.
  const requireSecret: RequestHandler = (req, res, next) => {
    const t = translator(browserLanguage(req))
    const given = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? ''
    if (!timingSafeEqual(digest(given), digest(secret))) {
      res
        .set('Connection', 'close')
        .status(401)
        .json({ error: t('mail.inbound.wrongSecret') })
      return
    }
    req.setTimeout(INBOUND_BODY_IDLE_MS, () => {
      if (!res.headersSent)
        res
          .set('Connection', 'close')
          .status(408)
          .json({ error: t('mail.inbound.bodyStalled', { seconds: INBOUND_BODY_IDLE_MS / 1000 }) })
      res.once('finish', () => req.destroy())
    })
    next()
  }

  router.post('/inbound/raw', requireSecret, express.raw({ type: () => true, limit: ctx.config.inboundMaxBytes }), async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)
    if (raw.length === 0) return res.status(400).json({ error: translator(browserLanguage(req))('mail.inbound.emptyBody') })
    // 202 once the row has committed; the message is processed after it.
    await receiveRawMessage(
      ctx.domain,
      { source: 'http', raw, envelopeTo: [] },
      { queue, logger: req.log, acknowledge: (id) => res.status(202).json({ id, status: 'received' }) },
    )
  })
  return router
}
