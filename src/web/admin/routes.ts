import { Router } from 'express'
import type { AppContext } from '../context.ts'
import { createFolder } from '../../domain/folders/createFolder.ts'
import { getSettingsOverview } from '../../domain/settings/settingsOverview.ts'
import { createTag, TAG_COLOURS } from '../../domain/tags/createTag.ts'
import { ConflictError, ValidationError } from '../../domain/errors.ts'
import { flash } from '../middleware/flash.ts'
import { requireAdmin, requireAgent } from '../middleware/auth.ts'

function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.username ? `${decodeURIComponent(u.username)}@` : ''}${u.host}`
  } catch {
    return '(invalid URL)'
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
      smtp: c.smtpUrl ? redactUrl(c.smtpUrl) : null,
      from: c.mailFrom,
      listener: c.smtpListenPort ? `${c.smtpListenHost}:${c.smtpListenPort}` : null,
      inbound: [ctx.mail.supportAddress, ...c.inboundAddresses, ...folders.filter((f) => f.inboundAddress).map((f) => f.inboundAddress!)],
      rawEndpoint: Boolean(c.inboundSecret),
    }
    res.render('admin/settings', {
      title: 'Settings',
      nav: 'settings',
      agents,
      folders,
      tags,
      colours: TAG_COLOURS,
      queuedMail,
      failedMail,
      database: ctx.db.kind,
      mail,
    })
  })

  // Minimal creation forms; renaming, ordering and deleting live on the full admin pages.
  for (const [path, create, noun] of [
    ['/settings/tags', createTag, 'Tag'],
    ['/settings/folders', createFolder, 'Folder'],
  ] as const) {
    router.post(path, async (req, res) => {
      try {
        const created = await create(ctx.domain, req.agent!, req.body ?? {})
        flash(req, 'success', `${noun} “${created.name}” created.`)
      } catch (err) {
        if (!(err instanceof ValidationError || err instanceof ConflictError)) throw err
        flash(req, 'error', err instanceof ValidationError ? (Object.values(err.fields)[0] ?? err.message) : err.message)
      }
      res.redirect(303, '/settings')
    })
  }

  return router
}
