import { Router } from 'express'
import { getOwnProfile, updateOwnProfile } from '../../../domain/agents/profile.ts'
import { ValidationError } from '../../../domain/errors.ts'
import type { AppContext } from '../../context.ts'
import { requireAgent } from '../../middleware/auth.ts'
import { flash } from '../../middleware/flash.ts'
import { fieldMessages } from '../../messages.ts'
import { apiTokensRouter, renderProfile } from './apiTokens.ts'

/** An agent's own page: their language, time zone, where they go after sending a reply, what they are e-mailed about, and their API tokens. */
export function profileRouter(ctx: AppContext): Router {
  const router = Router()
  router.use('/profile', requireAgent)
  router.get('/profile', async (req, res) => {
    await renderProfile(ctx, req, res)
  })
  router.post('/profile', async (req, res) => {
    try {
      // The next page reads the agent afresh: the confirmation comes in the language just chosen.
      await updateOwnProfile(ctx.domain, req.agent!, req.body ?? {})
      flash(req, 'success', 'agent.profile.saved')
      res.redirect(303, '/profile')
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err
      const me = { ...(await getOwnProfile(ctx.domain, req.agent!)), ...req.body }
      await renderProfile(ctx, req, res, { status: 400, me, errors: fieldMessages(req.t, err.fields) })
    }
  })
  router.use(apiTokensRouter(ctx))
  return router
}
