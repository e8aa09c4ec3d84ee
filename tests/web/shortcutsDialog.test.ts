import { readFileSync } from 'node:fs'
import ejs from 'ejs'
import { describe, expect, it } from 'vitest'
import { translate, type MessageValues } from '../../src/i18n/translate.ts'
import { fromRoot } from '../../src/paths.ts'

const PARTIAL = fromRoot('views/partials/shortcuts.ejs')
const SCRIPT = readFileSync(fromRoot('public/js/shortcuts.js'), 'utf8')

function render(locale: string): string {
  return ejs.render(readFileSync(PARTIAL, 'utf8'), { t: (key: string, values?: MessageValues) => translate(locale, key, values) }, { filename: PARTIAL })
}

/** Each documented shortcut of the dialog: its group, action, keys and the text of its row. */
function shortcutsOf(html: string) {
  const found: { group: string; action: string; keys: string[]; row: string }[] = []
  for (const section of html.matchAll(/<section[^>]*aria-labelledby="([^"]+)"[^>]*>([\s\S]*?)<\/section>/g)) {
    for (const m of section[2]!.matchAll(/<div(?: data-action="([^"]+)" data-keys="([^"]+)")?>(<dt>[\s\S]*?)<\/div>/g)) {
      found.push({ group: section[1]!, action: m[1] ?? '', keys: (m[2] ?? '').split(' ').filter(Boolean), row: m[3]! })
    }
  }
  return found
}

describe('the keyboard shortcuts dialog', () => {
  const english = render('en')
  const shortcuts = shortcutsOf(english)

  it('is named by its title, in the agent’s language', () => {
    expect(english).toMatch(/<dialog id="shortcuts-dialog"[^>]*aria-labelledby="shortcuts-title"/)
    expect(english).toContain('<h2 id="shortcuts-title">Keyboard shortcuts</h2>')
    expect(render('fr')).toContain('<h2 id="shortcuts-title">Raccourcis clavier</h2>')
    expect(render('fr')).toContain('Appuyez sur <kbd>?</kbd> pour voir les raccourcis clavier')
  })

  it('groups the shortcuts under List, Conversation and Everywhere, each row with its keys and what they do', () => {
    expect(new Set(shortcuts.map((s) => s.group))).toEqual(new Set(['shortcuts-group-list', 'shortcuts-group-conversation', 'shortcuts-group-everywhere']))
    for (const s of shortcuts) {
      expect(s.row, s.action).toMatch(/<dt>[\s\S]*<kbd>[\s\S]*<\/dt>/)
      expect(s.row, s.action).toMatch(/<dd>[^<\s][^<]*<\/dd>/)
    }
    // No key name left untranslated.
    for (const locale of ['en', 'fr']) expect(render(locale)).not.toMatch(/shortcuts\.(?!js\b)[a-z]/i)
  })

  it('documents every action the script knows, and the script knows every action it documents', () => {
    const documented = shortcuts.filter((s) => s.action).map((s) => s.action)
    const known = [...SCRIPT.matchAll(/^ {4}'?([a-z]+(?:\.[a-zA-Z]+)?)'?: /gm)].map((m) => m[1]!)
    expect(known.length).toBeGreaterThan(20)
    expect([...documented].sort()).toEqual([...known].sort())
  })

  it('gives a key one meaning on each page: the list’s and the conversation’s share only j and k', () => {
    const keysOf = (group: string) => shortcuts.filter((s) => s.group === `shortcuts-group-${group}`).flatMap((s) => s.keys)
    const everywhere = keysOf('everywhere')
    for (const group of ['list', 'conversation', 'everywhere']) {
      const keys = keysOf(group)
      expect(keys, group).toEqual([...new Set(keys)])
      if (group !== 'everywhere')
        expect(
          keys.filter((k) => everywhere.includes(k)),
          group,
        ).toEqual([])
    }
    expect(keysOf('list').filter((k) => keysOf('conversation').includes(k))).toEqual(['j', 'k'])
  })

  it('lets only Ctrl/⌘ + Enter act with a modifier; the rest are single keys or g sequences', () => {
    for (const s of shortcuts) {
      for (const keys of s.keys) {
        if (s.action === 'conversation.send') expect(keys).toMatch(/^(ctrl|meta)\+Enter$/)
        else expect(keys, s.action).toMatch(/^(?:g,[a-z]|[^+,\s]+)$/)
      }
    }
  })
})
