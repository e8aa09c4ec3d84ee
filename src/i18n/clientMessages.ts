import { catalogue, REFERENCE_LOCALE } from './catalogues.ts'

/** The keys public/js reads: plain texts with `{name}` placeholders the scripts fill in themselves (no ICU syntax). */
export const CLIENT_PREFIX = 'client.'

const cache = new Map<string, string>()

/**
 * Every `client.*` text in one language, as JSON for a `<script type="application/json">` block
 * (CSP forbids inline scripts; a data block is not run). `<` is escaped so that no text can close
 * the block. Built once per language.
 */
export function clientMessages(locale: string): string {
  let json = cache.get(locale)
  if (json === undefined) {
    const reference = catalogue(REFERENCE_LOCALE)
    const own = catalogue(locale)
    const messages: Record<string, string> = {}
    for (const key of Object.keys(reference)) {
      if (key.startsWith(CLIENT_PREFIX)) messages[key] = own[key] ?? reference[key]!
    }
    json = JSON.stringify(messages).replace(/</g, '\\u003c')
    cache.set(locale, json)
  }
  return json
}
