import { Router } from 'express'
import { ValidationError } from '../../../domain/errors.ts'
import { defaultSettings, loadSettings } from '../../../domain/settings/settings.ts'
import { updateSettings } from '../../../domain/settings/updateSettings.ts'
import type { AppContext } from '../../context.ts'
import { requireAdmin, requireAgent } from '../../middleware/auth.ts'
import type { Translate } from '../../../i18n/translate.ts'
import { flash } from '../../middleware/flash.ts'
import { fieldMessages } from '../../messages.ts'

const MB = 1024 * 1024

/** Reminders, automatic close, reopening, attachments: the settings of SPEC §2. */
export function lifecycleSettingsRouter(ctx: AppContext): Router {
  const router = Router()
  const { prisma } = ctx.db
  router.use('/settings/lifecycle', requireAgent, requireAdmin)

  const view = (t: Translate, values: Record<string, unknown>, errors: Record<string, string>) => ({
    title: t('admin.lifecycle.title'),
    nav: 'settings',
    values,
    errors,
    defaults: defaultSettings,
    // The placeholder the reminder text may hold, shown as typed (never translated).
    daysPlaceholder: '{days}',
  })

  router.get('/settings/lifecycle', async (req, res) => {
    const s = await loadSettings(prisma)
    res.render('admin/lifecycle', view(req.t, { ...s, attachmentMaxMegabytes: s.attachmentMaxBytes / MB }, {}))
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
      flash(req, 'success', 'admin.lifecycle.saved')
      res.redirect(303, '/settings/lifecycle')
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err
      const errors = fieldMessages(req.t, err.fields)
      if (errors.attachmentMaxBytes) errors.attachmentMaxMegabytes = req.t('admin.lifecycle.attachmentMaxError', { min: 0.001, max: 100 })
      res.status(400).render('admin/lifecycle', view(req.t, { ...b, closingEmailEnabled: input.closingEmailEnabled }, errors))
    }
  })
  return router
}
