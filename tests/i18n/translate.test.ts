import { describe, expect, it } from 'vitest'
import { translate, translator } from '../../src/i18n/translate.ts'

describe('messages in a language', () => {
  it('counts the French way: 0 and 1 are singular', () => {
    expect(translate('fr', 'admin.tags.usage', { count: 0 })).toBe('Sur 0 conversation')
    expect(translate('fr', 'admin.tags.usage', { count: 1 })).toBe('Sur 1 conversation')
    expect(translate('fr', 'admin.tags.usage', { count: 2 })).toBe('Sur 2 conversations')
    expect(translate('en', 'admin.tags.usage', { count: 0 })).toBe('On 0 conversations')
    expect(translate('en', 'admin.tags.usage', { count: 1 })).toBe('On 1 conversation')
  })

  it('gives the same text again for the same values, and another for others (formatted texts are remembered)', () => {
    const t = translator('fr')
    expect(t('admin.tags.usage', { count: 5 })).toBe('Sur 5 conversations')
    expect(t('admin.tags.usage', { count: 5 })).toBe('Sur 5 conversations')
    expect(t('admin.tags.usage', { count: 1 })).toBe('Sur 1 conversation')
    expect(translate('en', 'admin.tags.usage', { count: 5 })).toBe('On 5 conversations')
  })

  it('puts values into a message of plain {arguments} as ICU would', () => {
    expect(translate('en', 'history.moved', { actor: 'Ada', from: 'Sales', to: 'Billing' })).toBe('Ada moved it from Sales to Billing')
    expect(translate('fr', 'history.moved', { actor: 'Ada', from: 'Ventes', to: 'Facturation' })).toBe('Ada l’a déplacée depuis Ventes vers Facturation')
  })

  it('falls back to English for a language it does not have, and names an unknown key', () => {
    expect(translate('xx', 'layout.signOut')).toBe('Sign out')
    expect(translate('fr', 'no.such.key')).toBe('no.such.key')
  })
})
