import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fromRoot } from '../paths.ts'
import type en from '../../locales/en.json'

/** Every key of the interface and of the e-mails; the English catalogue is the reference. */
export type MessageKey = keyof typeof en

export type Catalogue = Readonly<Record<string, string>>

/** The language every catalogue is checked against, and the last resort for a missing key. */
export const REFERENCE_LOCALE = 'en'

// SUIVI_LOCALES_DIR lets a test (or an install) read the catalogues from another folder.
const folder = process.env.SUIVI_LOCALES_DIR || fromRoot('locales')

/**
 * Every `locales/<code>.json`, read once at start: adding a language is adding one file. A
 * catalogue is flat (dotted keys) so that a key can be found with grep in code and catalogues.
 */
function loadCatalogues(): Map<string, Catalogue> {
  const found = new Map<string, Catalogue>()
  for (const file of readdirSync(folder).sort()) {
    const match = /^([a-z]{2,3}(?:-[A-Z]{2})?)\.json$/.exec(file)
    if (!match) continue
    found.set(match[1]!, JSON.parse(readFileSync(path.join(folder, file), 'utf8')) as Catalogue)
  }
  if (!found.has(REFERENCE_LOCALE)) throw new Error(`locales/${REFERENCE_LOCALE}.json is missing`)
  return found
}

const catalogues = loadCatalogues()

/** The codes of the languages offered, in file-name order. */
export const LOCALES: readonly string[] = [...catalogues.keys()]

export function isLocale(code: unknown): code is string {
  return typeof code === 'string' && catalogues.has(code)
}

export function catalogue(locale: string): Catalogue {
  return catalogues.get(locale) ?? catalogues.get(REFERENCE_LOCALE)!
}

/** A language named in itself ("Français"); an unknown code as it is. */
export function languageName(code: string): string {
  return catalogues.get(code)?.['language.name'] ?? code
}

/** Each language named in itself ("Français"), for pickers. */
export function languageOptions(): { code: string; name: string }[] {
  return LOCALES.map((code) => ({ code, name: languageName(code) }))
}
