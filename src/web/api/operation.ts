import { createHash } from 'node:crypto'
import type { Request, Response, Router } from 'express'
import { z, type ZodType } from 'zod'
import { claimIdempotencyKey, releaseIdempotencyKey, completeIdempotencyKey } from '../../domain/apiTokens/idempotency.ts'
import { commitsDuring } from '../../domain/transaction.ts'
import type { Actor } from '../../domain/actor.ts'
import type { ApiScope } from '../../domain/apiTokens/apiTokens.ts'
import type { Translate } from '../../i18n/translate.ts'
import type { AppContext } from '../context.ts'
import { callerLanguage, fieldProblems, problem, problemFor, sendProblem } from './problem.ts'

/**
 * One API operation: its route, the scope it needs, the zod schemas its input is validated with
 * and its answers are described by, and its handler. The same object mounts the Express route and
 * writes the operation into the OpenAPI document (src/web/api/openapi.ts), so the two cannot differ.
 */

export type HttpMethod = 'get' | 'post' | 'patch' | 'put' | 'delete'

export interface ResponseSpec {
  description: string
  /** A JSON body; absent: no body (204) or a file (`contentType`). */
  schema?: ZodType
  /** For a file answered as is (attachments). */
  contentType?: string
  /** Response headers the caller may rely on (ETag, Location …), named → description. */
  headers?: Record<string, string>
}

export interface ApiCall<P, Q, B> {
  ctx: AppContext
  params: P
  query: Q
  body: B
  /** The token's agent, with folders loaded: every domain call takes it, the policy decides on it. */
  agent: Actor
  token: { id: number; scopes: ApiScope[] }
  /** The If-Match header, when the caller sent one (a version from an earlier ETag). */
  ifMatch: string | null
  t: Translate
  req: Request
  res: Response
}

export interface ApiAnswer {
  status?: number
  body?: unknown
  headers?: Record<string, string>
}

export interface Operation<P = unknown, Q = unknown, B = unknown> {
  method: HttpMethod
  /** OpenAPI style: `/conversations/{number}`. */
  path: string
  operationId: string
  summary: string
  description?: string
  /** The group in the reference (Conversations, Customers …). */
  tag: string
  scope: ApiScope
  params?: ZodType<P>
  query?: ZodType<Q>
  body?: ZodType<B>
  /** The body is multipart/form-data with a `file` part (and the fields of `body`), not JSON. */
  upload?: boolean
  /**
   * Reads a body JSON parsing does not (an upload) into `req.body`/`req.file`, before validation
   * and before the Idempotency-Key is checked, so that a retry is compared with what it carries.
   */
  readBody?(ctx: AppContext, req: Request, res: Response): Promise<void>
  responses: Record<number, ResponseSpec>
  /** Returns the answer, or writes it itself (a file) and returns nothing. */
  handler(call: ApiCall<P, Q, B>): Promise<ApiAnswer | void>
}

/** Typed in one place, so each module declares its operations without repeating the generics. */
export function operation<P = Record<string, never>, Q = Record<string, never>, B = undefined>(op: Operation<P, Q, B>): Operation<P, Q, B> {
  return op
}

export type AnyOperation = Operation<any, any, any> // eslint-disable-line @typescript-eslint/no-explicit-any

export const expressPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1')

function parsePart<T>(schema: ZodType<T> | undefined, value: unknown, part: 'params' | 'query' | 'body', t: Translate) {
  if (!schema) return { ok: true as const, data: undefined as T }
  const parsed = schema.safeParse(value ?? {})
  return parsed.success ? { ok: true as const, data: parsed.data } : { ok: false as const, errors: fieldProblems(t, part, parsed.error) }
}

/** JSON with object keys in order: `{"a":1,"b":2}` and `{"b":2,"a":1}` are the same request. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`
  }
  return JSON.stringify(value ?? null)
}

/** What makes two requests the same one for an Idempotency-Key: method, path, query, If-Match, body and file. */
function fingerprintOf(req: Request): string {
  const file = (req as { file?: { buffer?: Buffer; originalname?: string; mimetype?: string } }).file
  return createHash('sha256')
    .update(`${req.method} ${req.originalUrl}\n${req.headers['if-match'] ?? ''}\n${canonicalJson(req.body)}\n`)
    .update(file ? `${file.originalname}\n${file.mimetype}\n` : '')
    .update(file?.buffer ?? '')
    .digest('base64url')
}

/** Answer headers a replay repeats. */
const REPLAYED_HEADERS = ['location', 'etag', 'content-type']

/**
 * Runs a POST once per Idempotency-Key: the key is claimed first, the answer stored after and
 * replayed to retries. A failure before any change committed frees the key, so a retry runs the
 * request again; a failure after one is stored as the answer like any other (the retry must not
 * act twice).
 */
async function idempotently(ctx: AppContext, req: Request, res: Response, tokenId: number, run: () => Promise<void>): Promise<void> {
  const key = req.headers['idempotency-key']
  if (key === undefined || req.method !== 'POST') return run()
  const t = callerLanguage(req)
  if (typeof key !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(key)) {
    return sendProblem(
      req,
      res,
      problem('bad-request', t('error.idempotencyKeyInvalid'), [{ pointer: 'Idempotency-Key', detail: t('error.idempotencyKeyInvalid') }]),
    )
  }
  const claim = await claimIdempotencyKey(ctx.domain, tokenId, key, fingerprintOf(req), ctx.clock())
  if (claim.kind === 'mismatch') return sendProblem(req, res, problem('idempotency-key-reused', t('error.idempotencyKeyReused')))
  if (claim.kind === 'in-flight') {
    res.setHeader('Retry-After', '1')
    return sendProblem(req, res, problem('idempotency-key-in-flight', t('error.idempotencyKeyInFlight')))
  }
  if (claim.kind === 'replay') {
    res.set(claim.headers).set('Idempotent-Replayed', 'true').status(claim.status)
    return void res.end(claim.body ?? undefined)
  }
  // Keep what is sent, to store it once the answer is complete.
  const chunks: Buffer[] = []
  const write = res.write.bind(res) as (...args: unknown[]) => boolean
  const end = res.end.bind(res) as (...args: unknown[]) => Response
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (chunk) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)))
    return write(chunk, ...rest)
  }) as Response['write']
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (chunk && typeof chunk !== 'function') chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)))
    return end(chunk, ...rest)
  }) as Response['end']
  const { outcome, commits } = await commitsDuring(run)
  if (commits === 0 && (outcome.status === 'rejected' || res.statusCode >= 500)) {
    await releaseIdempotencyKey(ctx.domain, tokenId, key).catch(() => {})
    if (outcome.status === 'rejected') throw outcome.reason
    return
  }
  if (outcome.status === 'rejected') {
    // Answered here rather than by the router, so that the answer is the one kept.
    const found = problemFor(req, outcome.reason)
    if (!found) req.log?.error({ err: outcome.reason }, 'API request failed after its change committed')
    if (!res.headersSent) sendProblem(req, res, found ?? problem('internal', t('error.failed')))
  }
  const headers: Record<string, string> = {}
  for (const h of REPLAYED_HEADERS) {
    const v = res.getHeader(h)
    if (v !== undefined) headers[h] = String(v)
  }
  await completeIdempotencyKey(ctx.domain, tokenId, key, { status: res.statusCode, headers, body: chunks.length ? Buffer.concat(chunks) : null })
}

/** Mounts each operation on the router (after the authentication and scope middleware of the API). */
export function mountOperations(router: Router, ctx: AppContext, operations: readonly AnyOperation[]) {
  for (const op of operations) {
    router[op.method](expressPath(op.path), async (req: Request, res: Response) => {
      const bearer = res.locals.bearer as { agent: Actor; token: { id: number; scopes: ApiScope[] } }
      const t = callerLanguage(req)
      if (!bearer.token.scopes.includes(op.scope)) {
        res.setHeader('WWW-Authenticate', `Bearer error="insufficient_scope", scope="${op.scope}"`)
        return sendProblem(req, res, problem('insufficient-scope', t('error.apiScope', { scope: op.scope })))
      }
      if (op.body && !op.upload && req.body !== undefined && !req.is('application/json') && Number(req.headers['content-length'] ?? 0) > 0) {
        return sendProblem(req, res, problem('unsupported-media-type', t('error.malformed')))
      }
      await op.readBody?.(ctx, req, res)
      const params = parsePart(op.params, req.params, 'params', t)
      const query = parsePart(op.query, req.query, 'query', t)
      const body = parsePart(op.body, req.body, 'body', t)
      const errors = [params, query, body].flatMap((p) => (p.ok ? [] : p.errors))
      if (errors.length) return sendProblem(req, res, problem('validation-failed', t('validation.checkFields'), errors))
      const ifMatch = typeof req.headers['if-match'] === 'string' ? req.headers['if-match'] : null
      await idempotently(ctx, req, res, bearer.token.id, async () => {
        const answer = await op.handler({
          ctx,
          params: params.data,
          query: query.data,
          body: body.data,
          agent: bearer.agent,
          token: bearer.token,
          ifMatch,
          t,
          req,
          res,
        })
        if (!answer) return
        if (answer.headers) res.set(answer.headers)
        res.status(answer.status ?? 200)
        if (answer.body === undefined) return void res.end()
        res.json(answer.body)
      })
    })
  }
}

/** A page of a keyset-paginated list: the items and the cursor of the next page (null at the end). */
export const pageOf = <T extends ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    next: z.string().nullable().meta({ description: 'Pass as `after` to read the next page; null on the last page.' }),
  })
