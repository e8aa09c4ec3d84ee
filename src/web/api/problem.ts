import type { Request, Response } from 'express'
import { ZodError } from 'zod'
import { ConflictError, DomainError, ForbiddenError, NotFoundError, PreconditionFailedError, ValidationError, fromZodError } from '../../domain/errors.ts'
import { isDatabaseUnavailable } from '../../db/unavailable.ts'
import { messageText } from '../../i18n/issueMessages.ts'
import { translator, type Translate } from '../../i18n/translate.ts'
import { isLocale, REFERENCE_LOCALE } from '../../i18n/catalogues.ts'

/**
 * Errors of the API as RFC 9457 problem details (`application/problem+json`): a `type` URI per
 * kind of problem (documented on the reference page), a title, the HTTP status, a detail in the
 * caller's language (Accept-Language, English by default) and, for invalid input, every field at
 * fault as a JSON Pointer into the request.
 */

export interface FieldProblem {
  /** Where: `/body/subject`, `/query/limit`, `/params/number`, or a header name. */
  pointer: string
  detail: string
}

export interface Problem {
  type: string
  title: string
  status: number
  detail?: string
  instance?: string
  errors?: FieldProblem[]
}

const TYPES = {
  'bad-request': ['Bad request', 400],
  unauthorized: ['Authentication required', 401],
  forbidden: ['Forbidden', 403],
  'insufficient-scope': ['Insufficient scope', 403],
  'not-found': ['Not found', 404],
  conflict: ['Conflict', 409],
  'precondition-failed': ['Precondition failed', 412],
  'payload-too-large': ['Payload too large', 413],
  'unsupported-media-type': ['Unsupported media type', 415],
  'validation-failed': ['Validation failed', 422],
  'idempotency-key-reused': ['Idempotency key reused', 422],
  'idempotency-key-in-flight': ['Request in progress', 409],
  'rate-limited': ['Too many requests', 429],
  unavailable: ['Service unavailable', 503],
  internal: ['Internal error', 500],
} as const satisfies Record<string, readonly [string, number]>

export type ProblemType = keyof typeof TYPES
export const PROBLEM_TYPES = Object.keys(TYPES) as ProblemType[]

/** The `type` URI of a kind of problem: an anchor of the reference page, so it can be read. */
export const problemTypeUri = (type: ProblemType) => `/api/v1/reference#problem-${type}`

export function problem(type: ProblemType, detail?: string, errors?: FieldProblem[]): Problem {
  const [title, status] = TYPES[type]
  return { type: problemTypeUri(type), title, status, ...(detail ? { detail } : {}), ...(errors?.length ? { errors } : {}) }
}

/** The caller's language for details: Accept-Language when it names one of ours, else English. */
export function callerLanguage(req: Request): Translate {
  const wanted = req.acceptsLanguages()
  const locale = (Array.isArray(wanted) ? wanted : []).map((l) => l.slice(0, 2).toLowerCase()).find(isLocale) ?? REFERENCE_LOCALE
  return translator(locale)
}

export function sendProblem(req: Request, res: Response, p: Problem): void {
  res
    .status(p.status)
    .type('application/problem+json')
    .send(JSON.stringify({ ...p, instance: p.instance ?? req.originalUrl.split('?')[0] }))
}

/** Zod issues of one part of the request as field problems. */
export function fieldProblems(t: Translate, part: 'body' | 'query' | 'params', error: ZodError): FieldProblem[] {
  const fields = fromZodError(error).fields
  return error.issues.map((issue) => {
    const name = issue.path.join('.') || '_'
    return {
      pointer: '/' + [part, ...issue.path.map(String)].join('/'),
      detail: messageText(t, fields[name] ?? { key: 'validation.unreadable', values: { field: name } }),
    }
  })
}

/** Any error raised while answering, as a problem (null: an unexpected failure, to be logged). */
export function problemFor(req: Request, err: unknown): Problem | null {
  const t = callerLanguage(req)
  const text = (e: DomainError) => messageText(t, { key: e.key, values: e.values })
  if (err instanceof ZodError) return problem('validation-failed', t('validation.checkFields'), fieldProblems(t, 'body', err))
  if (err instanceof ValidationError) {
    const errors = Object.entries(err.fields).map(([field, m]) => ({
      pointer: field === '_' ? '/body' : `/body/${field.split('.').join('/')}`,
      detail: messageText(t, m),
    }))
    return problem('validation-failed', text(err), errors)
  }
  if (err instanceof NotFoundError) return problem('not-found', text(err))
  if (err instanceof ForbiddenError) return problem('forbidden', text(err))
  if (err instanceof PreconditionFailedError) return problem('precondition-failed', text(err))
  if (err instanceof ConflictError) return problem('conflict', text(err))
  if (err instanceof DomainError) return problem('bad-request', text(err))
  const e = err as { type?: string; status?: number }
  if (e?.type === 'entity.too.large') return problem('payload-too-large', t('error.tooLarge'))
  if (e?.type === 'entity.parse.failed' || e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported')
    return problem('bad-request', t('error.malformed'))
  if (isDatabaseUnavailable(err)) return problem('unavailable', t('error.unavailable'))
  return null
}
