import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadSettings } from '../../../src/domain/settings/settings.ts'
import { formats } from '../../../src/i18n/format.ts'
import { translate, translator } from '../../../src/i18n/translate.ts'
import { summarise } from '../../../src/web/presenters/auditLog.ts'
import { csrfFrom, setUpAndSignIn, startTestApp, type TestApp } from '../../helpers/testApp.ts'

/** What the page shows an attribute or a text as (EJS escapes these characters). */
const escaped = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;')

describe('the reminders and closing settings page', () => {
  let app: TestApp
  let admin: Awaited<ReturnType<typeof setUpAndSignIn>>
  beforeAll(async () => {
    app = await startTestApp()
    admin = await setUpAndSignIn(app)
  })
  afterAll(async () => {
    await app?.close()
  })

  const form = (page: string, changes: Record<string, string>) => ({
    _csrf: csrfFrom(page),
    pendingCloseDays: '30',
    reminderBeforeCloseDays: '7',
    reopenWindowDays: '30',
    attachmentMaxMegabytes: '8',
    sweepSchedule: '*/5 * * * *',
    'reminderTexts.en': 'Solved?',
    'reminderTexts.fr': '',
    'closingTexts.en': 'Closed.',
    'closingTexts.fr': '',
    closingEmailEnabled: 'on',
    ...changes,
  })

  it('shows one reminder and one closing text per language, empty with the built-in text as placeholder', async () => {
    const page = await admin.get('/settings/lifecycle')
    expect(page.status).toBe(200)
    expect(page.text).toContain('value="30"')
    for (const [code, name] of [
      ['en', 'English'],
      ['fr', 'Français'],
    ]) {
      expect(page.text).toContain(`<legend lang="${code}">${name}</legend>`)
      for (const [setting, builtIn] of [
        ['reminderTexts', translate(code!, 'mail.reminder.defaultText', { days: 7 })],
        ['closingTexts', translate(code!, 'mail.closing.defaultText')],
      ] as const) {
        const id = `${setting}-${code}`
        expect(page.text).toContain(`<label for="${id}">`)
        const textarea = new RegExp(`<textarea id="${id}" name="${setting}.${code}" lang="${code}"[^>]*>([^<]*)</textarea>`).exec(page.text)
        expect(textarea, id).not.toBeNull()
        expect(textarea![0]).toContain(`placeholder="${escaped(builtIn)}"`)
        expect(textarea![0]).toContain(`aria-describedby="`)
        expect(textarea![0]).toContain(`${id}-state`)
        expect(textarea![1]).toBe('')
        expect(page.text).toContain(`<p class="hint" id="${id}-state">No text of your own: the built-in text, shown in grey, is sent.</p>`)
      }
    }
  })

  it('saves valid changes, audited', async () => {
    const page = await admin.get('/settings/lifecycle')
    const res = await admin
      .post('/settings/lifecycle')
      .type('form')
      .send(form(page.text, { pendingCloseDays: '14', reminderBeforeCloseDays: '3', attachmentMaxMegabytes: '2', closingEmailEnabled: '' }))
    expect(res.status).toBe(303)
    const s = await loadSettings(app.ctx.db.prisma)
    expect(s).toMatchObject({
      pendingCloseDays: 14,
      reminderBeforeCloseDays: 3,
      attachmentMaxBytes: 2 * 1024 * 1024,
      closingEmailEnabled: false,
      reminderTexts: { en: 'Solved?' },
      closingTexts: { en: 'Closed.' },
    })
    const audit = await app.ctx.db.prisma.auditEvent.findFirstOrThrow({ where: { action: 'settings.updated' } })
    expect(audit.data).toMatchObject({ pendingCloseDays: { from: 30, to: 14 } })
  })

  it('keeps the French and English texts apart, and an emptied text falls back to the built-in one', async () => {
    const french = 'Votre demande est-elle réglée\u202f? Nous la fermons dans {days} jours.'
    let page = await admin.get('/settings/lifecycle')
    const res = await admin
      .post('/settings/lifecycle')
      .type('form')
      .send(
        form(page.text, {
          pendingCloseDays: '14',
          reminderBeforeCloseDays: '3',
          attachmentMaxMegabytes: '2',
          closingEmailEnabled: '',
          'reminderTexts.en': 'Solved? We close in {days} days.',
          'reminderTexts.fr': french,
          'closingTexts.en': '',
          'closingTexts.fr': 'Fermée.',
        }),
      )
    expect(res.status).toBe(303)
    const s = await loadSettings(app.ctx.db.prisma)
    expect(s.reminderTexts).toEqual({ en: 'Solved? We close in {days} days.', fr: french })
    // The English closing text was emptied: the built-in one is sent again.
    expect(s.closingTexts).toEqual({ fr: 'Fermée.' })

    page = await admin.get('/settings/lifecycle')
    expect(page.text).toMatch(/<textarea id="reminderTexts-fr"[^>]*>Votre demande est-elle réglée\u202f\? Nous la fermons dans \{days\} jours\.<\/textarea>/)
    expect(page.text).toMatch(/<textarea id="reminderTexts-en"[^>]*>Solved\? We close in \{days\} days\.<\/textarea>/)
    expect(page.text).toMatch(/<textarea id="closingTexts-fr"[^>]*>Fermée\.<\/textarea>/)
    expect(page.text).toMatch(/<textarea id="closingTexts-en"[^>]*><\/textarea>/)
    expect(page.text).toContain('<p class="hint" id="reminderTexts-fr-state">Your text is sent. Empty the field to send the built-in text again.</p>')
    expect(page.text).toContain('<p class="hint" id="closingTexts-en-state">No text of your own: the built-in text, shown in grey, is sent.</p>')
    expect(page.text).toContain(`placeholder="${escaped(translate('en', 'mail.closing.defaultText'))}"`)

    // The audit log says which languages' texts changed, in the reader's language.
    const audit = await app.ctx.db.prisma.auditEvent.findFirstOrThrow({ where: { action: 'settings.updated' }, orderBy: { id: 'desc' } })
    expect(summarise(audit.data, translator('en'), formats('en'))).toBe(
      'closing texts: English text back to the built-in one and French text added; reminder texts: English text changed and French text added',
    )
    expect(summarise(audit.data, translator('fr'), formats('fr'))).toBe(
      'textes de fermeture\u00a0: texte en anglais remplacé par le texte intégré et texte en français ajouté\u202f; ' +
        'textes de relance\u00a0: texte en anglais modifié et texte en français ajouté',
    )

    // A form that leaves a language out keeps that language's text.
    page = await admin.get('/settings/lifecycle')
    const { 'reminderTexts.fr': _left, ...withoutFrench } = form(page.text, {
      pendingCloseDays: '14',
      reminderBeforeCloseDays: '3',
      'reminderTexts.en': 'Done?',
    })
    expect((await admin.post('/settings/lifecycle').type('form').send(withoutFrench)).status).toBe(303)
    expect((await loadSettings(app.ctx.db.prisma)).reminderTexts).toEqual({ en: 'Done?', fr: french })
  })

  it('refuses a reminder after the close, a bad schedule, negative days and an overlong text, keeping what was saved', async () => {
    const page = await admin.get('/settings/lifecycle')
    const before = await loadSettings(app.ctx.db.prisma)
    for (const [changes, message] of [
      [{ pendingCloseDays: '5', reminderBeforeCloseDays: '9' }, 'Remind fewer than 5 days'],
      [{ sweepSchedule: 'every five minutes' }, 'five cron fields'],
      [{ pendingCloseDays: '-1' }, ''],
      [{ 'closingTexts.fr': 'x'.repeat(5001) }, 'The closing text is too long'],
    ] as const) {
      const res = await admin.post('/settings/lifecycle').type('form').send(form(page.text, changes))
      expect(res.status).toBe(400)
      if (message) expect(res.text).toContain(message)
    }
    const res = await admin
      .post('/settings/lifecycle')
      .type('form')
      .send(form(page.text, { 'reminderTexts.fr': 'r'.repeat(5001), 'reminderTexts.en': 'Still typed' }))
    expect(res.status).toBe(400)
    // The error sits by the French reminder, which keeps what was typed, as does the English one.
    expect(res.text).toMatch(
      /<textarea id="reminderTexts-fr"[^>]*aria-describedby="reminderTexts-fr-hint reminderTexts-fr-state reminderTexts-fr-error"[^>]*aria-invalid="true">r{5001}<\/textarea>/,
    )
    expect(res.text).toContain('<p class="field-error" id="reminderTexts-fr-error">')
    expect(res.text).toMatch(/<textarea id="reminderTexts-en"[^>]*>Still typed<\/textarea>/)
    expect(await loadSettings(app.ctx.db.prisma)).toEqual(before)
  })
})

describe('the default language and time zone of the instance', () => {
  let app: TestApp
  let admin: Awaited<ReturnType<typeof setUpAndSignIn>>
  beforeAll(async () => {
    app = await startTestApp()
    admin = await setUpAndSignIn(app)
  })
  afterAll(async () => {
    await app?.close()
  })

  it('are chosen on the settings page, explained, saved and audited', async () => {
    const page = await admin.get('/settings')
    expect(page.status).toBe(200)
    expect(page.text).toContain('New folders and invited agents start with these.')
    expect(page.text).toContain('<label for="defaultLocale">Default language</label>')
    expect(page.text).toContain('<option value="fr" lang="fr" >Français</option>')
    expect(page.text).toContain('<label for="defaultTimeZone">Default time zone</label>')
    expect(page.text).toContain('<option selected>UTC</option>')
    const res = await admin
      .post('/settings/defaults')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), defaultLocale: 'fr', defaultTimeZone: 'Europe/Paris' })
    expect(res.status).toBe(303)
    expect(res.headers.location).toBe('/settings')
    const s = await loadSettings(app.ctx.db.prisma)
    expect(s).toMatchObject({ defaultLocale: 'fr', defaultTimeZone: 'Europe/Paris' })
    const after = await admin.get('/settings')
    expect(after.text).toContain('Default language and time zone saved.')
    expect(after.text).toContain('<option value="fr" lang="fr" selected>Français</option>')
    expect(after.text).toContain('<option selected>Europe/Paris</option>')

    const audit = await app.ctx.db.prisma.auditEvent.findFirstOrThrow({ where: { action: 'settings.updated' }, orderBy: { id: 'desc' } })
    expect(audit.data).toEqual({ defaultLocale: { from: 'en', to: 'fr' }, defaultTimeZone: { from: 'UTC', to: 'Europe/Paris' } })
    expect(summarise(audit.data, translator('en'), formats('en'))).toBe('default language: English → French; default time zone: UTC → Europe/Paris')
    expect(summarise(audit.data, translator('fr'), formats('fr'))).toBe(
      'langue par défaut\u00a0: anglais → français\u202f; fuseau horaire par défaut\u00a0: UTC → Europe/Paris',
    )
  })

  it('refuses a language or a zone not offered, beside the field, keeping what was saved', async () => {
    const page = await admin.get('/settings')
    const res = await admin
      .post('/settings/defaults')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), defaultLocale: 'xx', defaultTimeZone: 'Mars/Olympus' })
    expect(res.status).toBe(400)
    expect(res.text).toContain('<p class="field-error" id="defaultLocale-error">Choose one of the languages offered.</p>')
    expect(res.text).toContain('<p class="field-error" id="defaultTimeZone-error">Choose a time zone from the list.</p>')
    expect(res.text).toContain('aria-describedby="defaults-hint defaultLocale-error" aria-invalid="true"')
    expect(await loadSettings(app.ctx.db.prisma)).toMatchObject({ defaultLocale: 'fr', defaultTimeZone: 'Europe/Paris' })
    // A field left out keeps its saved value.
    expect(
      (
        await admin
          .post('/settings/defaults')
          .type('form')
          .send({ _csrf: csrfFrom(page.text), defaultTimeZone: 'Asia/Tokyo' })
      ).status,
    ).toBe(303)
    expect(await loadSettings(app.ctx.db.prisma)).toMatchObject({ defaultLocale: 'fr', defaultTimeZone: 'Asia/Tokyo' })
  })
})
