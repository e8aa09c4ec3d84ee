import type { NextFunction, Request, Response } from 'express'
import { ZodError } from 'zod'
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, fromZodError } from '../../domain/errors.ts'
import { invalidCsrfTokenError } from './csrf.ts'
import { isDatabaseUnavailable } from '../../db/unavailable.ts'
import { messageText } from '../../i18n/issueMessages.ts'
import type { Message, Translate } from '../../i18n/translate.ts'
import { browserLanguage, useLanguage } from './language.ts'

// The schemas' issues are catalogue messages (src/i18n/issueMessages.ts, set up wherever zod runs),
// read in the reader's language by messageText.

interface Answer {
  status: number
  title: Message
  /** One or more messages, shown as one paragraph. */
  messages: Message[]
}

/** Messages as one paragraph, whether or not each already ends with a full stop. */
const sentences = (texts: string[]) => [...new Set(texts.map((m) => m.trim().replace(/\.+$/, '')).filter(Boolean))].join('. ') + '.'

const answer = (status: number, title: Message['key'], ...messages: Message[]): Answer => ({ status, title: { key: title }, messages })

function answerFor(err: unknown): Answer | null {
  // A form or query that does not fit its schema is the sender's mistake, not a server failure.
  if (err instanceof ZodError) return answerFor(fromZodError(err, 'validation.formUnreadable'))
  if (err instanceof NotFoundError)
    return answer(404, 'error.title.notFound', err.key === 'error.notFound' ? { key: 'error.nothingHere' } : { key: err.key, values: err.values })
  if (err instanceof ForbiddenError) return answer(403, 'error.title.forbidden', { key: err.key, values: err.values })
  if (err instanceof ValidationError) return answer(400, 'error.title.validation', { key: err.key, values: err.values }, ...Object.values(err.fields))
  if (err instanceof ConflictError) return answer(409, 'error.title.conflict', { key: err.key, values: err.values })
  if (err === invalidCsrfTokenError) return answer(403, 'error.title.csrf', { key: 'error.csrf' })
  const e = err as { type?: string; status?: number }
  if (e?.type === 'entity.too.large') return answer(413, 'error.title.tooLarge', { key: 'error.tooLarge' })
  if (e?.type === 'entity.parse.failed' || e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported')
    return answer(400, 'error.title.malformed', { key: 'error.malformed' })
  if (isDatabaseUnavailable(err)) return answer(503, 'error.title.unavailable', { key: 'error.unavailable' })
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return answer(e.status, 'error.title.refused', { key: 'error.refused' })
  return null
}

/** When a client should try again after the database went away (most outages are restarts). */
const RETRY_AFTER_SECONDS = 30

export function notFound(_req: Request, _res: Response, next: NextFunction) {
  next(new NotFoundError())
}

/**
 * The reader's language; an error raised before the language was chosen (a body that could not be
 * parsed) is answered in the browser's, and the error page gets its `t` and `fmt` as every page does.
 */
function readerLanguage(req: Request, res: Response): Translate {
  if (!(req as { t?: Translate }).t) useLanguage(req, res, browserLanguage(req), 'UTC')
  return req.t
}

/** The one place errors become HTTP answers; the page never shows internals, the log has them. */
export function errorHandler(err: unknown, req: Request, res: Response, _next: NextFunction) {
  const known = answerFor(err)
  const found = known ?? answer(500, 'error.title.failed', { key: 'error.failed' })
  if (!known) req.log?.error({ err }, 'request failed')
  else if (found.status >= 400 && found.status !== 404) req.log?.info({ status: found.status, reason: (err as Error)?.message }, 'request refused')
  if (res.headersSent) return res.end()
  const t = readerLanguage(req, res)
  const title = messageText(t, found.title)
  const message = sentences(found.messages.map((m) => messageText(t, m)))
  res.status(found.status)
  if (found.status === 503) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS))
  if (req.accepts(['html', 'json']) === 'json') return res.json({ error: message })
  res.render('errors/error', { status: found.status, title, message })
}
