import { Router, type Request } from 'express'
import { ipKeyGenerator } from 'express-rate-limit'
import { VISITOR } from '../../domain/actor.ts'
import { authenticate } from '../../domain/agents/authenticate.ts'
import { createFirstAdmin, hasAnyAgent } from '../../domain/agents/firstAdmin.ts'
import { findResetToken, requestPasswordReset, resetPassword } from '../../domain/agents/passwordReset.ts'
import { ValidationError } from '../../domain/errors.ts'
import { acceptInvitation, findInvitation } from '../../domain/agents/manageAgents.ts'
import { setSetupLanguage } from '../../domain/settings/updateSettings.ts'
import { isLocale, LOCALES } from '../../i18n/catalogues.ts'
import { richTranslator } from '../../mail/outbound/richText.ts'
import type { AppContext } from '../context.ts'
import { fieldMessages } from '../messages.ts'
import { safeNextPath } from '../middleware/auth.ts'
import { refreshCsrfToken } from '../middleware/csrf.ts'
import { flash } from '../middleware/flash.ts'
import { sharedRateLimit } from '../middleware/sharedRateLimit.ts'

const str = (v: unknown) => (typeof v === 'string' ? v : '')

/**
 * The language the browser asks for, when it names one offered (unlike browserLanguage, which
 * falls back to the reference language): a new agent's own, else the help desk's default.
 */
function askedLanguage(req: Request): string | undefined {
  if (!req.headers['accept-language']) return undefined
  const accepted = req.acceptsLanguages(...LOCALES)
  return isLocale(accepted) ? accepted : undefined
}

/** Starts a fresh session for the agent: a new id defeats session fixation. */
async function signIn(req: Request, agentId: number) {
  await new Promise<void>((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())))
  req.session.agentId = agentId
  refreshCsrfToken(req)
  await new Promise<void>((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())))
}

export function authRouter(ctx: AppContext): Router {
  const router = Router()

  // Counted in the database: every instance behind the load balancer sees the same attempts.
  const loginLimiter = sharedRateLimit(
    { db: ctx.db, logger: ctx.logger },
    {
      name: 'login',
      windowMs: 15 * 60 * 1000,
      limit: ctx.config.loginRateLimit,
      skipSuccessfulRequests: true,
      // Per address and account: one attacker cannot lock everybody out, nor guess one password fast.
      keyGenerator: (req) => `${ipKeyGenerator(req.ip ?? '')}|${str(req.body?.email).trim().toLowerCase()}`,
      handler: (req, res) => {
        res.status(429).render('auth/login', {
          title: req.t('auth.login.title'),
          email: str(req.body?.email),
          next: safeNextPath(req.body?.next),
          error: req.t('auth.login.tooMany'),
        })
      },
      // Without its counters, sign-in is closed rather than open to unlimited guessing.
      unavailable: (req, res) => {
        res.render('auth/login', {
          title: req.t('auth.login.title'),
          email: str(req.body?.email),
          next: safeNextPath(req.body?.next),
          error: req.t('auth.login.unavailable'),
        })
      },
    },
  )
  const resetLimiter = sharedRateLimit({ db: ctx.db, logger: ctx.logger }, { name: 'account-links', windowMs: 15 * 60 * 1000, limit: 5 })

  router.get('/setup', async (req, res) => {
    if (await hasAnyAgent(ctx.domain)) return res.redirect(303, '/login')
    res.render('auth/setup', { title: req.t('auth.setup.pageTitle'), values: {}, errors: {} })
  })

  router.post('/setup', async (req, res) => {
    if (await hasAnyAgent(ctx.domain)) return res.redirect(303, '/login')
    const values = { name: str(req.body.name), email: str(req.body.email), password: str(req.body.password) }
    try {
      const admin = await createFirstAdmin(ctx.domain, VISITOR, values)
      // The help desk speaks the language it was set up in.
      const language = askedLanguage(req)
      if (language) await setSetupLanguage(ctx.domain, admin, { locale: language })
      await signIn(req, admin.id)
      flash(req, 'success', 'auth.setup.done', { name: admin.name })
      res.redirect(303, '/')
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err
      res
        .status(400)
        .render('auth/setup', { title: req.t('auth.setup.pageTitle'), values: { ...values, password: '' }, errors: fieldMessages(req.t, err.fields) })
    }
  })

  router.get('/login', async (req, res) => {
    if (!(await hasAnyAgent(ctx.domain))) return res.redirect(303, '/setup')
    if (req.agent) return res.redirect(303, safeNextPath(req.query.next))
    res.render('auth/login', { title: req.t('auth.login.title'), email: '', next: safeNextPath(req.query.next), error: null })
  })

  router.post('/login', loginLimiter, async (req, res) => {
    const email = str(req.body.email)
    const next = safeNextPath(req.body.next)
    const agent = email && str(req.body.password) ? await authenticate(ctx.domain, { email, password: str(req.body.password) }) : null
    if (!agent) {
      return res.status(401).render('auth/login', { title: req.t('auth.login.title'), email, next, error: req.t('auth.login.wrong') })
    }
    await signIn(req, agent.id)
    req.log.info({ agentId: agent.id }, 'agent signed in')
    res.redirect(303, next)
  })

  router.post('/logout', async (req, res) => {
    await new Promise<void>((resolve) => req.session.destroy(() => resolve()))
    res.clearCookie(ctx.config.sessionCookieName)
    res.redirect(303, '/login')
  })

  router.get('/forgot-password', (req, res) => {
    res.render('auth/forgot', { title: req.t('auth.forgot.title'), sent: false, email: '' })
  })

  router.post('/forgot-password', resetLimiter, async (req, res) => {
    await requestPasswordReset(ctx.domain, VISITOR, { email: str(req.body.email) })
    res.render('auth/forgot', { title: req.t('auth.forgot.title'), sent: true, email: str(req.body.email), rich: richTranslator(req.t) })
  })

  router.get('/reset-password/:token', async (req, res) => {
    const row = await findResetToken(ctx.domain, { token: String(req.params.token) })
    res.render('auth/reset', { title: req.t('auth.reset.title'), name: row.agent.name, errors: {} })
  })

  router.post('/reset-password/:token', async (req, res) => {
    const token = String(req.params.token)
    try {
      await resetPassword(ctx.domain, VISITOR, { token, password: str(req.body.password) })
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err
      const row = await findResetToken(ctx.domain, { token })
      return res.status(400).render('auth/reset', { title: req.t('auth.reset.title'), name: row.agent.name, errors: fieldMessages(req.t, err.fields) })
    }
    flash(req, 'success', 'auth.reset.done')
    res.redirect(303, '/login')
  })

  router.get('/invite/:token', async (req, res) => {
    const row = await findInvitation(ctx.domain, { token: String(req.params.token) })
    res.render('auth/invite', { title: req.t('auth.invite.pageTitle'), name: row.agent.name, email: row.agent.email, errors: {}, rich: richTranslator(req.t) })
  })

  router.post('/invite/:token', resetLimiter, async (req, res) => {
    const token = String(req.params.token)
    try {
      const agentId = await acceptInvitation(ctx.domain, VISITOR, { token, password: str(req.body.password), locale: askedLanguage(req) })
      await signIn(req, agentId)
      flash(req, 'success', 'auth.invite.done')
      res.redirect(303, '/conversations')
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err
      const row = await findInvitation(ctx.domain, { token })
      res.status(400).render('auth/invite', {
        title: req.t('auth.invite.pageTitle'),
        name: row.agent.name,
        email: row.agent.email,
        errors: fieldMessages(req.t, err.fields),
        rich: richTranslator(req.t),
      })
    }
  })

  return router
}
