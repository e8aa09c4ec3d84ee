import { CLIENT_TEXTS_PATH, clientTexts } from './i18n/clientMessages.ts'
import { isLocale } from './i18n/catalogues.ts'
import { randomUUID } from 'node:crypto'
import { fromRoot } from './paths.ts'
import ejs from 'ejs'
import express from 'express'
import session from 'express-session'
import helmet from 'helmet'
import { pinoHttp } from 'pino-http'
import type { AppContext } from './web/context.ts'
import { pingDatabase } from './db/health.ts'
import { SessionStore } from './db/sessionStore.ts'
import { SIGNED_IN_AGENT_SQL } from './domain/agents/authenticate.ts'
import { redactUrl } from './web/redactUrl.ts'
import { loadAgent } from './web/middleware/auth.ts'
import { csrfProtection } from './web/middleware/csrf.ts'
import { errorHandler, notFound } from './web/middleware/errors.ts'
import { exposeFlash } from './web/middleware/flash.ts'
import { authRouter } from './web/auth/routes.ts'
import { conversationsRouter } from './web/agent/conversations/routes.ts'
import { sidebarRouter } from './web/agent/conversations/sidebarRoutes.ts'
import { savedRepliesRouter } from './web/agent/savedReplies/routes.ts'
import { listRouter } from './web/agent/list/routes.ts'
import { snoozeRouter } from './web/agent/snooze/routes.ts'
import { searchRouter } from './web/agent/search/routes.ts'
import { sideNav } from './web/middleware/sideNav.ts'
import { notificationsRouter } from './web/agent/notifications/routes.ts'
import { liveRouter } from './web/agent/live/routes.ts'
import { attachmentsRouter } from './web/agent/attachments/routes.ts'
import { parseMultipart } from './web/middleware/uploads.ts'
import { inboundRouter } from './web/inbound/routes.ts'
import { apiRouter } from './web/api/routes.ts'
import { portalRouter } from './web/portal/routes.ts'
import { inboundAdminRouter } from './web/admin/inbound/routes.ts'
import { mailAdminRouter } from './web/admin/mail/routes.ts'
import { lifecycleSettingsRouter } from './web/admin/lifecycle/routes.ts'
import { agentsAdminRouter } from './web/admin/agents/routes.ts'
import { profileRouter } from './web/agent/profile/routes.ts'
import { customersRouter } from './web/agent/customers/routes.ts'
import { foldersAdminRouter } from './web/admin/folders/routes.ts'
import { tagsAdminRouter } from './web/admin/tags/routes.ts'
import { imapAdminRouter } from './web/admin/imap/routes.ts'
import { auditAdminRouter } from './web/admin/audit/routes.ts'
import { webhooksAdminRouter } from './web/admin/webhooks/routes.ts'
import { adminRouter } from './web/admin/routes.ts'
import { draftsRouter } from './web/agent/drafts/routes.ts'
import { similarRouter } from './web/agent/similar/routes.ts'
import { mergeRouter } from './web/agent/merge/routes.ts'
import { copiesRouter } from './web/agent/copies/routes.ts'
import { reportsRouter } from './web/agent/reports/routes.ts'
import { chooseLanguage } from './web/middleware/language.ts'
import { renderPage } from './web/localizedViews.ts'
import { REFERENCE_LOCALE } from './i18n/catalogues.ts'
import { recentOutboxFailures } from './mail/outbound/outboxHealth.ts'

const root = (p: string) => fromRoot(p)

export function createApp(ctx: AppContext): express.Express {
  const app = express()
  app.disable('x-powered-by')
  // Pages carry a fresh CSRF token and relative times: an ETag (a SHA-1 of every page) never matches.
  app.set('etag', false)
  app.set('trust proxy', ctx.config.trustProxy ? 1 : false)
  const views = root('views')
  // Includes are written from the views folder ('/partials/…'): resolved without a file-system
  // check per include, which a list page of 50 rows would otherwise make 150 times.
  const viewCache = ctx.config.env !== 'development'
  app.engine('ejs', (file: string, data: object, done: (err: unknown, html?: string) => void) => {
    const locale = (data as { locale?: string }).locale ?? REFERENCE_LOCALE
    // rmWhitespace: the templates' indentation is not sent (a fifth of a list page's bytes). No
    // page template holds text whose leading spaces matter; e-mails are rendered apart, as written.
    renderPage(file, data as ejs.Data, { root: views, views: [views], cache: viewCache, rmWhitespace: true }, locale, done)
  })
  app.set('view engine', 'ejs')
  app.set('views', views)
  app.set('view cache', viewCache)
  app.locals.appName = 'Suivi'

  app.use(
    pinoHttp({
      logger: ctx.logger,
      genReqId: (req, res) => {
        const given = req.headers['x-request-id']
        const id = typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : randomUUID()
        res.setHeader('X-Request-Id', id)
        return id
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url?.startsWith('/public/') === true },
      serializers: {
        req: (req: { url?: string }) => {
          req.url = redactUrl(req.url)
          return req
        },
      },
    }),
  )

  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          // Only the privacy-enhanced YouTube player, for videos embedded in messages.
          frameSrc: ["'self'", 'https://www.youtube-nocookie.com'],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
      strictTransportSecurity: ctx.config.trustProxy,
    }),
  )

  const staticOptions = { maxAge: ctx.config.env === 'production' ? '1d' : 0, index: false }
  // The scripts' texts per language; the hash in the name changes with them, so they are kept for good.
  app.get(`${CLIENT_TEXTS_PATH}:file`, (req, res, next) => {
    const locale = /^client\.([a-z]{2})\.[0-9a-f]{12}\.js$/.exec(req.params.file)?.[1]
    if (!locale || !isLocale(locale)) return next()
    const texts = clientTexts(locale)
    // A page of an earlier version asks for its texts by an old hash: it gets today's, not cached.
    res.set('Cache-Control', texts.file === req.params.file ? 'public, max-age=31536000, immutable' : 'no-cache')
    res.type('text/javascript').send(texts.script)
  })
  app.use('/public', express.static(root('public'), staticOptions))
  // The rich-text editor, served from the installed package (no CDN).
  app.use('/vendor/quill', express.static(root('node_modules/quill/dist'), staticOptions))

  // Health checks stay outside sessions: a load balancer must not create rows.
  app.get('/healthz', async (_req, res) => {
    try {
      await pingDatabase(ctx.db.prisma)
      // The app is up either way; monitoring reads the outbox figure to alert on mail trouble.
      res.json({ status: 'ok', database: ctx.db.kind, outbox: { failedLast7Days: await recentOutboxFailures(ctx.db.prisma) } })
    } catch {
      res.status(503).json({ status: 'unavailable', database: ctx.db.kind })
    }
  })

  // Machine-to-machine, authenticated by its secret: before sessions and CSRF.
  app.use(inboundRouter(ctx, ctx.intake))
  // The API knows its callers by token only: before sessions, so no cookie is ever read there.
  app.use(apiRouter(ctx))

  app.use(express.urlencoded({ extended: false, limit: '1mb', parameterLimit: 1000 }))
  app.use(express.json({ limit: '1mb' }))

  app.use(
    session({
      name: ctx.config.sessionCookieName,
      secret: ctx.secret,
      store: new SessionStore(ctx.db.pool, { pruneIntervalSeconds: ctx.config.env === 'test' ? false : 15 * 60, companion: SIGNED_IN_AGENT_SQL }),
      resave: false,
      saveUninitialized: false,
      rolling: true,
      cookie: { httpOnly: true, sameSite: 'lax', secure: 'auto', maxAge: 12 * 60 * 60 * 1000 },
    }),
  )
  app.use(loadAgent(ctx))
  app.use(chooseLanguage)
  app.use(parseMultipart(ctx))
  app.use(csrfProtection)
  app.use(exposeFlash)
  app.use((req, res, next) => {
    res.locals.path = req.path
    res.locals.nav = ''
    next()
  })

  app.use(sideNav(ctx))
  app.use(notificationsRouter(ctx)) // first of the agent routers: it puts the bell on every page
  app.use(authRouter(ctx))
  app.use(portalRouter(ctx))
  app.use(liveRouter(ctx))
  app.use(searchRouter(ctx))
  app.use(listRouter(ctx))
  app.use(conversationsRouter(ctx))
  app.use(sidebarRouter(ctx))
  app.use(snoozeRouter(ctx))
  app.use(savedRepliesRouter(ctx))
  app.use(draftsRouter(ctx))
  app.use(similarRouter(ctx))
  app.use(mergeRouter(ctx))
  app.use(copiesRouter(ctx))
  app.use(reportsRouter(ctx))
  app.use(attachmentsRouter(ctx))
  app.use(adminRouter(ctx))
  app.use(foldersAdminRouter(ctx))
  app.use(tagsAdminRouter(ctx))
  app.use(imapAdminRouter(ctx))
  app.use(auditAdminRouter(ctx))
  app.use(webhooksAdminRouter(ctx))
  app.use(inboundAdminRouter(ctx))
  app.use(lifecycleSettingsRouter(ctx))
  app.use(agentsAdminRouter(ctx))
  app.use(profileRouter(ctx))
  app.use(customersRouter(ctx))
  app.use(mailAdminRouter(ctx, { smtpConfigured: Boolean(ctx.config.smtpUrl) }))

  app.use(notFound)
  app.use(errorHandler)
  return app
}
