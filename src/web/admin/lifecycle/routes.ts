import { Router } from 'express'
import { ValidationError } from '../../../domain/errors.ts'
import { defaultSettings, loadSettings, perLanguageInput, reminderTextFor, closingTextFor, type Settings } from '../../../domain/settings/settings.ts'
import { updateSettings } from '../../../domain/settings/updateSettings.ts'
import { languageOptions } from '../../../i18n/catalogues.ts'
import type { AppContext } from '../../context.ts'
import { requireAdmin, requireAgent } from '../../middleware/auth.ts'
import type { Translate } from '../../../i18n/translate.ts'
import { flash } from '../../middleware/flash.ts'
import { fieldMessages } from '../../messages.ts'

const MB = 1024 * 1024

type Texts = Record<string, unknown>

/**
 * One reminder and one closing text per language offered: the admin's own (as saved, or as just
 * typed), and the built-in text sent when there is none, shown as the field's placeholder.
 */
function textsPerLanguage(settings: Settings, reminders: Texts, closings: Texts) {
  const text = (v: unknown) => (typeof v === 'string' ? v : '')
  const builtIn = { ...settings, reminderTexts: {}, closingTexts: {} }
  return languageOptions().map(({ code, name }) => ({
    code,
    name,
    reminder: text(reminders[code]),
    closing: text(closings[code]),
    reminderBuiltIn: reminderTextFor(builtIn, code),
    closingBuiltIn: closingTextFor(builtIn, code),
    // Whether a text of the admin's own is saved: else the built-in one is sent.
    reminderSaved: Boolean(settings.reminderTexts[code]),
    closingSaved: Boolean(settings.closingTexts[code]),
  }))
}

/** Reminders, automatic close, reopening, attachments: the settings of SPEC §2. */
export function lifecycleSettingsRouter(ctx: AppContext): Router {
  const router = Router()
  const { prisma } = ctx.db
  router.use('/settings/lifecycle', requireAgent, requireAdmin)

  const view = (
    t: Translate,
    settings: Settings,
    values: Record<string, unknown>,
    texts: { reminders: Texts; closings: Texts },
    errors: Record<string, string>,
  ) => ({
    title: t('admin.lifecycle.title'),
    nav: 'settings',
    values,
    errors,
    defaults: defaultSettings,
    languages: textsPerLanguage(settings, texts.reminders, texts.closings),
    // The placeholder the reminder text may hold, shown as typed (never translated).
    daysPlaceholder: '{days}',
  })

  router.get('/settings/lifecycle', async (req, res) => {
    const s = await loadSettings(prisma)
    res.render(
      'admin/lifecycle',
      view(req.t, s, { ...s, attachmentMaxMegabytes: s.attachmentMaxBytes / MB }, { reminders: s.reminderTexts, closings: s.closingTexts }, {}),
    )
  })

  router.post('/settings/lifecycle', async (req, res) => {
    const b = req.body ?? {}
    const saved = await loadSettings(prisma)
    const megabytes = Number(b.attachmentMaxMegabytes)
    const reminderTexts = perLanguageInput(b, 'reminderTexts')
    const closingTexts = perLanguageInput(b, 'closingTexts')
    const input: Partial<Record<keyof Settings, unknown>> = {
      pendingCloseDays: b.pendingCloseDays,
      reminderBeforeCloseDays: b.reminderBeforeCloseDays,
      reopenWindowDays: b.reopenWindowDays,
      closingEmailEnabled: b.closingEmailEnabled === 'on',
      sweepSchedule: b.sweepSchedule,
      // The texts of the languages the form sends replace those saved; a language it leaves out keeps its own.
      reminderTexts: reminderTexts && { ...saved.reminderTexts, ...reminderTexts },
      closingTexts: closingTexts && { ...saved.closingTexts, ...closingTexts },
      attachmentMaxBytes: Number.isFinite(megabytes) ? Math.round(megabytes * MB) : b.attachmentMaxMegabytes,
    }
    // A field the form did not send keeps its saved value (rather than going back to its default).
    for (const key of Object.keys(input) as (keyof Settings)[]) if (input[key] === undefined) delete input[key]
    try {
      await updateSettings(ctx.domain, req.agent!, input)
      flash(req, 'success', 'admin.lifecycle.saved')
      res.redirect(303, '/settings/lifecycle')
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err
      const errors = fieldMessages(req.t, err.fields)
      if (errors.attachmentMaxBytes) errors.attachmentMaxMegabytes = req.t('admin.lifecycle.attachmentMaxError', { min: 0.001, max: 100 })
      // The page shows what was typed, over what is saved.
      const typed = { reminders: { ...saved.reminderTexts, ...reminderTexts }, closings: { ...saved.closingTexts, ...closingTexts } }
      res.status(400).render('admin/lifecycle', view(req.t, saved, { ...b, closingEmailEnabled: input.closingEmailEnabled }, typed, errors))
    }
  })
  return router
}
