import { franc } from 'franc-min'
import { catalogue, isLocale, LOCALES } from './catalogues.ts'

/**
 * The language of a customer's first e-mail among the languages offered: the Content-Language
 * header when it names one, else the text's (franc, trigram statistics). Short or mixed texts
 * answer nothing, and the folder's language applies.
 */
export function detectLanguage(contentLanguage: string | undefined, text: string): string | undefined {
  for (const tag of (contentLanguage ?? '').split(',')) {
    const code = tag.trim().toLowerCase()
    const primary = code.split('-')[0]
    if (isLocale(code)) return code
    if (isLocale(primary)) return primary
  }
  const sample = text.slice(0, 2000)
  if (sample.trim().length < 40) return undefined
  const byIso = new Map(LOCALES.map((code) => [catalogue(code)['language.iso6393'], code]))
  const found = franc(sample, { minLength: 40, only: [...byIso.keys()].filter((iso): iso is string => Boolean(iso)) })
  return byIso.get(found)
}
