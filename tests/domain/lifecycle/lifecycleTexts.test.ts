import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../src/domain/actor.ts'
import { ValidationError } from '../../../src/domain/errors.ts'
import { closingTextFor, defaultSettings, loadSettings, perLanguageInput, reminderTextFor } from '../../../src/domain/settings/settings.ts'
import { updateSettings } from '../../../src/domain/settings/updateSettings.ts'
import { translate } from '../../../src/i18n/translate.ts'
import { buildAgent } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

describe('the reminder and closing texts, one per language', () => {
  let app: TestApp
  let admin: Actor
  beforeAll(async () => {
    app = await startTestApp()
    admin = await buildAgent(app.ctx.db.prisma, { role: 'admin' })
  })
  afterAll(async () => {
    await app?.close()
  })

  it('takes the admin’s text for a language, else the built-in one, with its days', () => {
    const settings = {
      ...defaultSettings,
      reminderBeforeCloseDays: 3,
      reminderTexts: { fr: 'Résolu\u202f? Fermeture dans {days} jours.' },
      closingTexts: { en: 'Closed.' },
    }
    expect(reminderTextFor(settings, 'fr')).toBe('Résolu\u202f? Fermeture dans 3 jours.')
    expect(reminderTextFor(settings, 'en')).toBe(translate('en', 'mail.reminder.defaultText', { days: 3 }))
    expect(reminderTextFor(settings, 'en')).toContain('we will close the request in 3 days.')
    expect(closingTextFor(settings, 'en')).toBe('Closed.')
    expect(closingTextFor(settings, 'fr')).toBe(translate('fr', 'mail.closing.defaultText'))
  })

  it('reads a form’s per-language fields', () => {
    expect(perLanguageInput({ 'reminderTexts.en': 'Solved?', 'reminderTexts.fr': '', 'reminderTexts.xx': 'no' }, 'reminderTexts')).toEqual({
      en: 'Solved?',
      fr: '',
    })
    expect(perLanguageInput({ pendingCloseDays: '30' }, 'closingTexts')).toBeUndefined()
  })

  it('saves the texts, dropping empty ones and languages not offered, and checks the language and zone defaults', async () => {
    await updateSettings(app.ctx.domain, admin, {
      reminderTexts: { en: '  Solved? ', fr: '', xx: 'Nope' },
      defaultLocale: 'fr',
      defaultTimeZone: 'Europe/Paris',
    })
    expect(await loadSettings(app.ctx.db.prisma)).toMatchObject({
      reminderTexts: { en: 'Solved?' },
      closingTexts: {},
      defaultLocale: 'fr',
      defaultTimeZone: 'Europe/Paris',
    })
    const refused = await updateSettings(app.ctx.domain, admin, {
      defaultLocale: 'xx',
      defaultTimeZone: 'Mars/Olympus',
      closingTexts: { en: 'x'.repeat(5001) },
    }).catch((err: unknown) => err)
    expect(refused).toBeInstanceOf(ValidationError)
    expect(Object.keys((refused as ValidationError).fields).sort()).toEqual(['closingTexts.en', 'defaultLocale', 'defaultTimeZone'])
    expect((refused as ValidationError).fields.defaultLocale).toEqual({ key: 'validation.chooseLanguage' })
    // Saving the same texts again changes nothing (and writes no audit entry).
    const audits = await app.ctx.db.prisma.auditEvent.count({ where: { action: 'settings.updated' } })
    await updateSettings(app.ctx.domain, admin, { reminderTexts: { en: 'Solved?' } })
    expect(await app.ctx.db.prisma.auditEvent.count({ where: { action: 'settings.updated' } })).toBe(audits)
  })
})
