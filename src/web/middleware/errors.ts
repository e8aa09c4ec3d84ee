import type { NextFunction, Request, Response } from 'express'
import { ZodError } from 'zod'
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, fromZodError } from '../../domain/errors.ts'
import { invalidCsrfTokenError } from './csrf.ts'

interface Answer {
  status: number
  title: string
  message: string
}

function answerFor(err: unknown): Answer | null {
  // A form or query that does not fit its schema is the sender's mistake, not a server failure.
  if (err instanceof ZodError) return answerFor(fromZodError(err, 'The form could not be read'))
  if (err instanceof NotFoundError) return { status: 404, title: 'Page not found', message: err.message === 'Not found' ? 'There is nothing here. It may have been moved, or you may not have access to it.' : err.message }
  if (err instanceof ForbiddenError) return { status: 403, title: 'Not allowed', message: err.message }
  if (err instanceof ValidationError) return { status: 400, title: 'Please check your input', message: [err.message, ...Object.values(err.fields)].join('. ') }
  if (err instanceof ConflictError) return { status: 409, title: 'Already done', message: err.message }
  if (err === invalidCsrfTokenError) return { status: 403, title: 'This form has expired', message: 'For your safety the form could not be sent. Reload the page and try again.' }
  const e = err as { type?: string; status?: number }
  if (e?.type === 'entity.too.large') return { status: 413, title: 'Too large', message: 'What you sent is larger than the help desk accepts.' }
  if (e?.type === 'entity.parse.failed' || e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') {
    return { status: 400, title: 'Malformed request', message: 'The request could not be read.' }
  }
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return { status: e.status, title: 'Request refused', message: 'The request could not be handled.' }
  return null
}

export function notFound(_req: Request, _res: Response, next: NextFunction) {
  next(new NotFoundError())
}

/** The one place errors become HTTP answers; the page never shows internals, the log has them. */
export function errorHandler(err: unknown, req: Request, res: Response, _next: NextFunction) {
  const known = answerFor(err)
  const answer = known ?? { status: 500, title: 'Something went wrong', message: 'The error was recorded. Try again in a moment.' }
  if (!known) req.log?.error({ err }, 'request failed')
  else if (answer.status >= 400 && answer.status !== 404) req.log?.info({ status: answer.status, reason: (err as Error)?.message }, 'request refused')
  if (res.headersSent) return res.end()
  res.status(answer.status)
  if (req.accepts(['html', 'json']) === 'json') return res.json({ error: answer.message })
  res.render('errors/error', { ...answer, title: answer.title })
}
