import { Router, type Request, type Response } from 'express'
import type { AppContext } from '../context.ts'
import { createFolder } from '../../domain/folders/createFolder.ts'
import { getSettingsOverview } from '../../domain/settings/settingsOverview.ts'
import { createTag } from '../../domain/tags/createTag.ts'
import { loadSettings } from '../../domain/settings/settings.ts'
import { updateSettings } from '../../domain/settings/updateSettings.ts'
import { languageOptions } from '../../i18n/catalogues.ts'
import { timeZones } from '../../i18n/format.ts'
import { ConflictError, ValidationError } from '../../domain/errors.ts'
import type { MessageKey, Translate } from '../../i18n/translate.ts'
import { flash, flashError } from '../middleware/flash.ts'
import { requireAdmin, requireAgent } from '../middleware/auth.ts'
import { colourChoices } from './tags/routes.ts'
import { fieldMessages } from '../messages.ts'

function redactUrl(url: string, t: Translate): string {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.username ? `${decodeURIComponent(u.username)}@` : ''}${u.host}`
  } catch {
    return t('admin.settings.mail.invalidUrl')
  }
}

export function adminRouter(ctx: AppContext): Router {
  const router = Router()
  router.use('/settings', requireAgent, requireAdmin)

  /** The overview; after a refused change of the defaults, with what was chosen and why it was refused. */
  async function overview(req: Request, res: Response, refused?: { values: Record<string, unknown>; errors: Record<string, string> }) {
    const { agents, folders, tags, queuedMail, failedMail } = await getSettingsOverview(ctx.domain, req.agent!)
    const settings = await loadSettings(ctx.db.prisma)
    const c = ctx.config
    const mail = {
      // Where mail goes out, without the credentials: secrets are never shown back.
      smtp: c.smtpUrl ? redactUrl(c.smtpUrl, req.t) : null,
      from: c.mailFrom,
      listener: c.smtpListenPort ? `${c.smtpListenHost}:${c.smtpListenPort}` : null,
      inbound: [ctx.mail.supportAddress, ...c.inboundAddresses, ...folders.filter((f) => f.inboundAddress).map((f) => f.inboundAddress!)],
      rawEndpoint: Boolean(c.inboundSecret),
    }
    res.status(refused ? 400 : 200).render('admin/settings', {
      title: req.t('admin.settings.title'),
      nav: 'settings',
      agents,
      folders,
      tags,
      colours: colourChoices(req.t),
      queuedMail,
      failedMail,
      database: ctx.db.kind,
      mail,
      // The language and time zone new folders and invited agents start with.
      defaults: { defaultLocale: settings.defaultLocale, defaultTimeZone: settings.defaultTimeZone, ...refused?.values },
      defaultsErrors: refused?.errors ?? {},
      languages: languageOptions(),
      zones: timeZones(),
    })
  }

  router.get('/settings', (req, res) => overview(req, res))

  router.post('/settings/defaults', async (req, res) => {
    const b = req.body ?? {}
    // A field the form did not send keeps its saved value.
    const input = Object.fromEntries((['defaultLocale', 'defaultTimeZone'] as const).filter((k) => b[k] !== undefined).map((k) => [k, b[k]]))
    try {
      await updateSettings(ctx.domain, req.agent!, input)
      flash(req, 'success', 'admin.settings.defaults.saved')
      res.redirect(303, '/settings')
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err
      await overview(req, res, { values: input, errors: fieldMessages(req.t, err.fields) })
    }
  })

  // Minimal creation forms; renaming, ordering and deleting live on the full admin pages.
  for (const [path, create, created] of [
    ['/settings/tags', createTag, 'admin.tags.created'],
    ['/settings/folders', createFolder, 'admin.folders.created'],
  ] as const satisfies readonly (readonly [string, unknown, MessageKey])[]) {
    router.post(path, async (req, res) => {
      try {
        const { name } = await create(ctx.domain, req.agent!, req.body ?? {})
        flash(req, 'success', created, { name })
      } catch (err) {
        if (!(err instanceof ValidationError || err instanceof ConflictError)) throw err
        // A form shown as a single line: the first field's message, else the refusal's own.
        const first = err instanceof ValidationError ? Object.values(err.fields)[0] : undefined
        if (first) flash(req, 'error', first.key, first.values)
        else flashError(req, err)
      }
      res.redirect(303, '/settings')
    })
  }

  return router
}
