import type { NextFunction, Request, Response } from 'express'
import { authenticateApiToken } from '../../domain/apiTokens/apiTokens.ts'
import type { AppContext } from '../context.ts'
import { callerLanguage, problem, sendProblem } from './problem.ts'

/**
 * The API knows callers by their personal token only. It sits before the session middleware, so a
 * browser's session cookie is never read here: a call carrying cookies and no token is refused
 * (no CSRF risk, since nothing a browser sends on its own opens the API).
 */
export function authenticateBearer(ctx: AppContext) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const t = callerLanguage(req)
    const header = req.headers.authorization ?? ''
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
    if (!match) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="suivi"')
      return sendProblem(req, res, problem('unauthorized', t(req.headers.cookie ? 'error.cookieOnApi' : 'error.apiTokenMissing')))
    }
    try {
      const bearer = await authenticateApiToken(ctx.domain, match[1]!, ctx.clock())
      if (!bearer) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="suivi", error="invalid_token"')
        return sendProblem(req, res, problem('unauthorized', t('error.apiTokenInvalid')))
      }
      res.locals.bearer = bearer
      next()
    } catch (err) {
      next(err)
    }
  }
}
