import type { NextFunction, Request, Response } from 'express'
import { findActiveAgent, signedInAgentFrom } from '../../domain/agents/authenticate.ts'
import { ForbiddenError } from '../../domain/errors.ts'
import { can, INSTANCE } from '../../domain/policy.ts'
import { countRecentOutboxFailures } from '../../domain/outbox/outboxFailures.ts'
import type { AppContext } from '../context.ts'

/**
 * Loads the signed-in agent on every request. A session whose agent was deactivated or removed
 * is destroyed here, so deactivation takes effect at the agent's next request.
 */
export function loadAgent(ctx: AppContext) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const id = req.session.agentId
    if (id !== undefined) {
      // Read with the session by the store when it could (one statement for both), else here.
      const read = (req.sessionStore as unknown as { takeCompanion?: (sid: string) => unknown }).takeCompanion?.(req.sessionID)
      const withSession = read === undefined ? undefined : signedInAgentFrom(read)
      const agent = withSession !== undefined && (withSession === null || withSession.id === id) ? withSession : await findActiveAgent(ctx.db.prisma, id)
      if (agent) {
        req.agent = agent
        res.locals.agent = agent
        // Views ask this rather than the role, so the menu follows the policy.
        res.locals.canAdminister = can(agent, 'administer', INSTANCE)
        if (req.method === 'GET' && res.locals.canAdminister) res.locals.outboxFailures = await countRecentOutboxFailures(ctx.domain, agent)
      } else {
        await new Promise<void>((resolve) => req.session.regenerate(() => resolve()))
      }
    }
    next()
  }
}

export function requireAgent(req: Request, res: Response, next: NextFunction) {
  if (req.agent) return next()
  if (req.method === 'GET' && req.accepts(['html', 'json']) === 'html') {
    return res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`)
  }
  res.status(401).json({ error: req.t('error.signInFirst') })
}

export function requireAdmin(req: Request, _res: Response, next: NextFunction) {
  if (req.agent && can(req.agent, 'administer', INSTANCE)) return next()
  next(new ForbiddenError('error.adminOnly'))
}

/** A local path to go back to after signing in; anything else (other hosts, //, \) goes home. */
export function safeNextPath(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.includes('\\')) return '/'
  if (/[\u0000-\u001f]/.test(next)) return '/'
  return next
}
