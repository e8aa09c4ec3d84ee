import { Router } from 'express'
import type { AppContext } from '../context.ts'
import { createFolder } from '../../domain/folders/createFolder.ts'
import { getSettingsOverview } from '../../domain/settings/settingsOverview.ts'
import { createTag } from '../../domain/tags/createTag.ts'
import { ConflictError, ValidationError } from '../../domain/errors.ts'
import type { MessageKey, Translate } from '../../i18n/translate.ts'
import { flash, flashError } from '../middleware/flash.ts'
import { requireAdmin, requireAgent } from '../middleware/auth.ts'
import { colourChoices } from './tags/routes.ts'

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

  router.get('/settings', async (req, res) => {
    const { agents, folders, tags, queuedMail, failedMail } = await getSettingsOverview(ctx.domain, req.agent!)
    const c = ctx.config
    const mail = {
      // Where mail goes out, without the credentials: secrets are never shown back.
      smtp: c.smtpUrl ? redactUrl(c.smtpUrl, req.t) : null,
      from: c.mailFrom,
      listener: c.smtpListenPort ? `${c.smtpListenHost}:${c.smtpListenPort}` : null,
      inbound: [ctx.mail.supportAddress, ...c.inboundAddresses, ...folders.filter((f) => f.inboundAddress).map((f) => f.inboundAddress!)],
      rawEndpoint: Boolean(c.inboundSecret),
    }
    res.render('admin/settings', {
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
    })
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
