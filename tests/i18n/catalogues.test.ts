import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { IntlMessageFormat } from 'intl-messageformat'
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser'
import { catalogue, LOCALES, REFERENCE_LOCALE } from '../../src/i18n/catalogues.ts'
import { fromRoot } from '../../src/paths.ts'

/** Every file under a folder of the repository, with the given endings. */
function filesUnder(folder: string, endings: string[]): string[] {
  const found: string[] = []
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name)
      if (statSync(full).isDirectory()) walk(full)
      else if (endings.some((e) => name.endsWith(e))) found.push(full)
    }
  }
  walk(fromRoot(folder))
  return found.sort()
}

const reference = catalogue(REFERENCE_LOCALE)
const keys = Object.keys(reference)
/** Keys about the catalogue itself, read by code through the catalogue rather than by name. */
const META = new Set(['language.name', 'language.iso6393'])

/** The names of the arguments a message uses ({name}, {count, plural, …}), nested ones included. */
function argumentsOf(elements: MessageFormatElement[], into = new Set<string>()): Set<string> {
  for (const e of elements) {
    if (e.type === TYPE.argument || e.type === TYPE.number || e.type === TYPE.date || e.type === TYPE.time) into.add(e.value)
    if (e.type === TYPE.plural || e.type === TYPE.select) {
      into.add(e.value)
      for (const option of Object.values(e.options)) argumentsOf(option.value, into)
    }
  }
  return into
}

describe('message catalogues', () => {
  it('offers English and French at least', () => {
    expect(LOCALES).toEqual(expect.arrayContaining(['en', 'fr']))
  })

  for (const locale of LOCALES) {
    it(`${locale}: has every key of the reference, no other, each a valid message with the same arguments`, () => {
      const own = catalogue(locale)
      expect(
        Object.keys(own).filter((k) => !(k in reference)),
        'keys unknown to the reference',
      ).toEqual([])
      expect(
        keys.filter((k) => !(k in own)),
        'keys missing',
      ).toEqual([])
      const wrong: string[] = []
      for (const key of keys) {
        if (META.has(key)) continue
        const mine = argumentsOf(parse(own[key]!, { ignoreTag: true }))
        const theirs = argumentsOf(parse(reference[key]!, { ignoreTag: true }))
        if ([...theirs].sort().join() !== [...mine].sort().join()) wrong.push(`${key}: {${[...mine]}} vs {${[...theirs]}}`)
        new IntlMessageFormat(own[key]!, locale, undefined, { ignoreTag: true })
      }
      expect(wrong, 'messages whose arguments differ from the reference').toEqual([])
    })
  }

  it('French follows French typography: narrow no-break space before ; ? ! and no-break before :, « guillemets », ’', () => {
    const fr = catalogue('fr')
    const faults: string[] = []
    for (const [key, text] of Object.entries(fr)) {
      if (META.has(key)) continue
      // The ICU syntax itself ({count, plural, one {…}}) is not prose.
      const prose = text.replace(/https?:\/\/\S+/g, '')
      if (/[^\u00a0\u202f][;?!»]/.test(prose.replace(/[;?!»]{2,}/g, (m) => m[0]!)))
        faults.push(`${key}: a space missing or breakable before ; ? ! or »: ${text}`)
      if (/[^\u00a0\u202f]:(?!\/\/)/.test(prose)) faults.push(`${key}: a no-break space missing before ":": ${text}`)
      if (/«[^\u00a0\u202f]/.test(prose)) faults.push(`${key}: a no-break space missing after «: ${text}`)
      if (/"/.test(prose)) faults.push(`${key}: straight quotes; French uses « »: ${text}`)
      if (/'/.test(prose)) faults.push(`${key}: straight apostrophe; French uses ’: ${text}`)
      if (/ [;?!:]/.test(prose)) faults.push(`${key}: a breakable space before punctuation: ${text}`)
    }
    expect(faults).toEqual([])
  })

  it('every key is used by the code, the views or public/js', () => {
    const sources = [...filesUnder('src', ['.ts']), ...filesUnder('views', ['.ejs']), ...filesUnder('public/js', ['.js'])]
      .filter((f) => !f.includes(`${path.sep}generated${path.sep}`))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n')
    // A key built from a prefix (`status.${status}`, 'status.' + status) uses every key under it.
    const prefixes = [...sources.matchAll(/['"`]([a-z][A-Za-z0-9]*(?:\.[A-Za-z0-9_-]+)*\.)(?:['"`]\s*\+|\$\{)/g)].map((m) => m[1]!)
    const unused = keys.filter(
      (key) =>
        !META.has(key) &&
        !key.startsWith('client.') &&
        !sources.includes(`'${key}'`) &&
        !sources.includes(`"${key}"`) &&
        !prefixes.some((p) => key.startsWith(p)),
    )
    expect(unused).toEqual([])
  })

  it('every key a view or public/js names exists', () => {
    const missing: string[] = []
    for (const file of [...filesUnder('views', ['.ejs']), ...filesUnder('public/js', ['.js'])]) {
      const text = readFileSync(file, 'utf8')
      for (const m of text.matchAll(/\bt\(\s*['"]([^'"]+)['"]/g)) if (!(m[1]! in reference)) missing.push(`${path.relative(fromRoot('.'), file)}: ${m[1]}`)
    }
    expect(missing).toEqual([])
  })
})

/** Words that are the same in every language: the product's name and the like. */
const NOT_TRANSLATED = new Set(['Suivi', 'S', 'IMAP', 'SMTP', 'ID', 'URL', 'HTML', 'CSV', 'OK', 'UTC', '#', 'Message-ID'])

/** What a literal in code looks like when a person is meant to read it. */
function looksLikeProse(literal: string): boolean {
  const s = literal.trim()
  if (s === '' || NOT_TRANSLATED.has(s)) return false
  if (!/[A-Za-zÀ-ÿ]/.test(s)) return false
  // Keys, class lists, identifiers, paths, selectors, MIME types, attribute names.
  if (
    /^[a-z0-9_.:/#?=&@[\]()*>+~^$|,-]+( [a-z0-9_.:/#?=&@[\]()*>+~^$|,-]+)*$/.test(s) &&
    !/^(it|them|is|was|were|a|an|the|and|or|of|to|in|on|at|by|for|with|no|not|yes|you|your|now|ago|never|none)$/.test(s)
  )
    return false
  if (/^[A-Z][A-Za-z]*(-[A-Z][A-Za-z]*)+$/.test(s)) return false // header names: Content-Type
  if (/^[a-z][A-Za-z0-9]*([._/:-][A-Za-z0-9]+)+$/.test(s) || /^[a-z]+[A-Z][A-Za-z0-9]*$/.test(s)) return false // keys, camelCase names
  if (/^[A-Z_]+$/.test(s)) return false // constants
  return true
}

/** User-facing text that a template leaves outside the catalogues. */
function literalsInTemplate(source: string): string[] {
  const found: string[] = []
  // String literals inside EJS tags (<%= n === 1 ? 'it' : 'them' %>).
  for (const tag of source.matchAll(/<%[=_-]?([\s\S]*?)[_-]?%>/g)) {
    for (const lit of tag[1]!.matchAll(/'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|`((?:[^`\\]|\\.)*)`/g)) {
      const text = lit[1] ?? lit[2] ?? lit[3] ?? ''
      if (looksLikeProse(text.replace(/\$\{[^}]*\}/g, ''))) found.push(text)
    }
  }
  const html = source
    .replace(/<%[\s\S]*?%>/g, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, ' ')
  for (const attr of html.matchAll(/\b(?:placeholder|title|aria-label|alt|aria-description|label|value|content)="([^"]*)"/g)) {
    const name = attr[0].split('=')[0]
    // value= and content= are data unless a button or a meta description shows them.
    if ((name === 'value' || name === 'content') && !/^[A-Z]/.test(attr[1]!.trim())) continue
    if (looksLikeProse(attr[1]!)) found.push(attr[1]!)
  }
  const text = html.replace(/<[^>]*>/g, '\n')
  for (const line of text.split('\n')) {
    const t = line.replace(/&[a-z]+;|&#\d+;/g, ' ').trim()
    if (t && /[A-Za-zÀ-ÿ]/.test(t) && !NOT_TRANSLATED.has(t)) found.push(t)
  }
  return found
}

/** String literals of browser scripts that a person would read. */
function literalsInScript(source: string): string[] {
  const found: string[] = []
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')
  for (const lit of code.matchAll(/'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|`((?:[^`\\]|\\.)*)`/g)) {
    const text = lit[1] ?? lit[2] ?? lit[3] ?? ''
    if (looksLikeProse(text.replace(/\$\{[^}]*\}/g, '')) && /\s|^[A-Z][a-z]/.test(text)) found.push(text)
  }
  return found
}

describe('no user-facing text outside the catalogues', () => {
  it('finds the literals it is meant to find (the scanner itself)', () => {
    expect(literalsInTemplate("<p>Sign out</p><input placeholder=\"Search\"><%= n === 1 ? 'it' : 'them' %>")).toEqual(['it', 'them', 'Search', 'Sign out'])
    expect(literalsInTemplate('<p class="muted small"><%= t(\'nav.signOut\') %></p><a href="/x" aria-label="<%= t(\'a.b\') %>">→</a>')).toEqual([])
    expect(literalsInScript("el.textContent = 'Also here: ' + names; q('.live-banner'); headers['Content-Type']")).toEqual(['Also here: '])
  })

  for (const file of filesUnder('views', ['.ejs'])) {
    it(`views/${path.relative(fromRoot('views'), file)}`, () => {
      expect(literalsInTemplate(readFileSync(file, 'utf8'))).toEqual([])
    })
  }
  for (const file of filesUnder('public/js', ['.js'])) {
    it(`public/js/${path.relative(fromRoot('public/js'), file)}`, () => {
      expect(literalsInScript(readFileSync(file, 'utf8'))).toEqual([])
    })
  }
})
