import type { NextFunction, Request, RequestHandler, Response } from 'express'
import { rateLimit } from 'express-rate-limit'
import type { Logger } from 'pino'
import { PostgresRateLimitStore, RateLimitUnavailableError, type CountersDatabase } from '../../db/rateLimitStore.ts'

export interface SharedRateLimitOptions {
  /** Names the limiter in the table (and in logs). */
  name: string
  windowMs: number
  limit: number
  keyGenerator?: (req: Request, res: Response) => string | Promise<string>
  skipSuccessfulRequests?: boolean
  /** Answers a client over the limit (429); express-rate-limit's plain answer by default. */
  handler?: (req: Request, res: Response) => void
  /** Answers when the counters cannot be reached (503 by default, with Retry-After). */
  unavailable?: (req: Request, res: Response) => void
}

/** Seconds a client is asked to wait when the counters are unavailable. */
export const UNAVAILABLE_RETRY_AFTER_S = 30

/**
 * express-rate-limit over PostgresRateLimitStore, failing closed: when the database cannot be
 * reached the request is answered 503 (with Retry-After) instead of going through unlimited.
 * Every limited route needs the database for its own work anyway, so refusing costs nothing an
 * outage had not already taken, while failing open would lift the limits whenever the counters
 * alone fail (docs/decisions.md).
 */
export function sharedRateLimit(deps: { db: CountersDatabase; logger?: Logger }, options: SharedRateLimitOptions): RequestHandler {
  const store = new PostgresRateLimitStore(deps.db.prisma, { prefix: options.name, logger: deps.logger })
  const limiter = rateLimit({
    windowMs: options.windowMs,
    limit: options.limit,
    skipSuccessfulRequests: options.skipSuccessfulRequests ?? false,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    store,
    passOnStoreError: false,
    ...(options.keyGenerator ? { keyGenerator: options.keyGenerator } : {}),
    ...(options.handler ? { handler: options.handler } : {}),
  })
  const unavailable = options.unavailable ?? answerUnavailable
  return (req: Request, res: Response, next: NextFunction) => {
    void limiter(req, res, (err?: unknown) => {
      if (!(err instanceof RateLimitUnavailableError)) return next(err)
      ;(req.log ?? deps.logger)?.warn({ err: err.cause ?? err, limiter: options.name }, 'rate-limit counters unavailable: request refused')
      res.status(503).set('Retry-After', String(UNAVAILABLE_RETRY_AFTER_S))
      unavailable(req, res)
    })
  }
}

function answerUnavailable(req: Request, res: Response) {
  const answer = { status: 503, title: 'Try again in a moment', message: 'The help desk cannot take this request right now. Please try again in a minute.' }
  if (req.accepts(['html', 'json']) === 'json') return res.json({ error: answer.message })
  res.render('errors/error', answer)
}
