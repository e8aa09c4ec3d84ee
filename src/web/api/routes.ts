import express, { type NextFunction, type Request, type Response } from 'express'
import { sharedRateLimit } from '../middleware/sharedRateLimit.ts'
import type { AppContext } from '../context.ts'
import { authenticateBearer } from './authenticate.ts'
import { mountOperations } from './operation.ts'
import { openApiDocument } from './openapi.ts'
import { referencePage } from './reference.ts'
import { API_OPERATIONS } from './operations.ts'
import { callerLanguage, problem, problemFor, sendProblem } from './problem.ts'

export const API_BASE = '/api/v1'

/**
 * The REST API under /api/v1: its description (OpenAPI 3.1, and a page to read it), then every
 * operation behind a personal token, a rate limit per token, and problem details for every error.
 * Mounted before sessions and CSRF: the API takes no cookie.
 */
export function apiRouter(ctx: AppContext) {
  const router = express.Router()
  const api = express.Router()
  // Lets tools that list the app's routes (the access tests) tell the API's apart, with their base.
  Object.defineProperty(api, 'mountPath', { value: API_BASE })
  router.use(API_BASE, api)

  let document: object | null = null
  const theDocument = () => (document ??= openApiDocument(API_OPERATIONS, { version: process.env.npm_package_version ?? '0.1.0', serverUrl: API_BASE }))
  api.get('/openapi.json', (_req, res) => {
    res.set('Cache-Control', 'no-cache').json(theDocument())
  })
  api.get('/reference', referencePage(theDocument))

  api.use(express.json({ limit: '1mb', type: ['application/json', 'application/*+json'] }))
  api.use(authenticateBearer(ctx))
  api.use(
    sharedRateLimit(
      { db: ctx.db, logger: ctx.logger },
      {
        name: 'api',
        windowMs: 60_000,
        limit: ctx.config.apiRateLimit,
        keyGenerator: (_req, res) => `token:${(res.locals.bearer as { token: { id: number } }).token.id}`,
        handler: (req, res) => sendProblem(req, res, problem('rate-limited', callerLanguage(req)('error.apiRateLimited'))),
        unavailable: (req, res) => sendProblem(req, res, problem('unavailable', callerLanguage(req)('error.unavailable'))),
      },
    ),
  )
  mountOperations(api, ctx, API_OPERATIONS)
  api.use((req: Request, res: Response) => sendProblem(req, res, problem('not-found', callerLanguage(req)('error.nothingHere'))))
  api.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const found = problemFor(req, err)
    if (!found) req.log?.error({ err }, 'API request failed')
    if (res.headersSent) return res.end()
    if (found?.status === 503) res.setHeader('Retry-After', '30')
    sendProblem(req, res, found ?? problem('internal', callerLanguage(req)('error.failed')))
  })
  return router
}
