import { describe, expect, it } from 'vitest'
import { formats, isTimeZone, timeZones } from '../../src/i18n/format.ts'
import { detectLanguage } from '../../src/i18n/detectLanguage.ts'

const at = new Date('2026-12-03T13:05:09Z')

describe('dates, times and numbers in the reader’s language and zone', () => {
  it('writes dates the French way, in the zone given', () => {
    expect(formats('fr', 'Europe/Paris').date(at)).toBe('3 décembre 2026')
    expect(formats('en', 'UTC').date(at)).toBe('December 3, 2026')
    // 13:05 UTC is 14:05 in Paris and 08:05 in New York.
    expect(formats('fr', 'Europe/Paris').dateTime(at)).toContain('14:05')
    expect(formats('en', 'America/New_York').dateTime(at)).toContain('8:05')
    expect(formats('fr', 'Europe/Paris').full(at)).toMatch(/^jeudi 3 décembre 2026 à 14:05:09/)
  })

  it('says relative times as people do: "il y a 3 h", "3 hr. ago", "maintenant"', () => {
    const now = new Date(at.getTime() + 3 * 3_600_000 + 120_000)
    // Intl keeps the number and its unit together with a no-break space.
    expect(formats('fr').relative(at, now)).toMatch(/^il y a 3[\u00a0\u202f]h$/)
    expect(formats('en').relative(at, now)).toBe('3 hr. ago')
    expect(formats('fr').relative(at, at)).toBe('maintenant')
    expect(formats('en').relative(new Date(at.getTime() + 2 * 86_400_000), at)).toBe('in 2 days')
  })

  it('groups digits by the language’s rule', () => {
    expect(formats('en').number(1234567)).toBe('1,234,567')
    expect(formats('fr').number(1234567)).toBe('1\u202f234\u202f567')
  })

  it('knows real time zones and refuses others (falling back to UTC)', () => {
    expect(isTimeZone('Europe/Paris')).toBe(true)
    expect(isTimeZone('Mars/Olympus')).toBe(false)
    expect(timeZones()).toContain('UTC')
    expect(timeZones()).toContain('Europe/Paris')
    expect(formats('en', 'Mars/Olympus').timeZone).toBe('UTC')
  })
})

describe('a customer’s language from their first e-mail', () => {
  it('takes the Content-Language header when it names a catalogue', () => {
    expect(detectLanguage('fr-FR', 'Hello')).toBe('fr')
    expect(detectLanguage('de, fr', '')).toBe('fr')
    expect(detectLanguage('EN', '')).toBe('en')
  })

  it('else reads the text', () => {
    expect(detectLanguage(undefined, 'Bonjour, je n’arrive plus à me connecter à mon compte depuis hier soir. Pouvez-vous m’aider à retrouver l’accès ?')).toBe(
      'fr',
    )
    expect(detectLanguage(undefined, 'Hello, I cannot sign in to my account since yesterday evening. Could you please help me get access back?')).toBe('en')
  })

  it('answers nothing for a text too short to tell', () => {
    expect(detectLanguage(undefined, 'Merci !')).toBeUndefined()
    expect(detectLanguage('de', 'ok')).toBeUndefined()
  })
})
