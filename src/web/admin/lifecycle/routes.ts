import { Router } from 'express'
import { ValidationError } from '../../../domain/errors.ts'
import { defaultSettings, loadSettings } from '../../../domain/settings/settings.ts'
import { updateSettings } from '../../../domain/settings/updateSettings.ts'
import type { AppContext } from '../../context.ts'
import { requireAdmin, requireAgent } from '../../middleware/auth.ts'
import { flash } from '../../middleware/flash.ts'

const MB = 1024 * 1024

/** Reminders, automatic close, reopening, attachments: the settings of SPEC §2. */
export function lifecycleSettingsRouter(ctx: AppContext): Router {
  const router = Router()
  const { prisma } = ctx.db
  router.use('/settings/lifecycle', requireAgent, requireAdmin)

  const view = (values: Record<string, unknown>, errors: Record<string, string>) => ({
    title: 'Reminders and closing',
    nav: 'settings',
    values,
    errors,
    defaults: defaultSettings,
  })

  router.get('/settings/lifecycle', async (_req, res) => {
    const s = await loadSettings(prisma)
    res.render('admin/lifecycle', view({ ...s, attachmentMaxMegabytes: s.attachmentMaxBytes / MB }, {}))
  })

  router.post('/settings/lifecycle', async (req, res) => {
    const b = req.body ?? {}
    const megabytes = Number(b.attachmentMaxMegabytes)
    const input = {
      pendingCloseDays: b.pendingCloseDays,
      reminderBeforeCloseDays: b.reminderBeforeCloseDays,
      reopenWindowDays: b.reopenWindowDays,
      closingEmailEnabled: b.closingEmailEnabled === 'on',
      sweepSchedule: b.sweepSchedule,
      reminderText: b.reminderText,
      closingText: b.closingText,
      attachmentMaxBytes: Number.isFinite(megabytes) ? Math.round(megabytes * MB) : b.attachmentMaxMegabytes,
    }
    try {
      await updateSettings(ctx.domain, req.agent!, input)
      flash(req, 'success', 'Settings saved.')
      res.redirect(303, '/settings/lifecycle')
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err
      const errors = { ...err.fields }
      if (errors.attachmentMaxBytes) errors.attachmentMaxMegabytes = 'Choose a size between 0.001 and 100 MB.'
      res.status(400).render('admin/lifecycle', view({ ...b, closingEmailEnabled: input.closingEmailEnabled }, errors))
    }
  })
  return router
}
