import { Router } from 'express'
import { updateOwnNotifications } from '../../../domain/agents/manageAgents.ts'
import { getOwnProfile } from '../../../domain/agents/profile.ts'
import type { AppContext } from '../../context.ts'
import { requireAgent } from '../../middleware/auth.ts'
import { flash } from '../../middleware/flash.ts'

/** An agent's own page: what they are e-mailed about. */
export function profileRouter(ctx: AppContext): Router {
  const router = Router()
  router.use('/profile', requireAgent)
  router.get('/profile', async (req, res) => {
    const me = await getOwnProfile(ctx.domain, req.agent!)
    res.render('agent/profile', { title: req.t('agent.profile.title'), nav: '', me })
  })
  router.post('/profile', async (req, res) => {
    await updateOwnNotifications(ctx.domain, req.agent!, req.body ?? {})
    flash(req, 'success', 'agent.profile.saved')
    res.redirect(303, '/profile')
  })
  return router
}
