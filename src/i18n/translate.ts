import { IntlMessageFormat } from 'intl-messageformat'
import { catalogue, REFERENCE_LOCALE, type MessageKey } from './catalogues.ts'

export type { MessageKey }
export type MessageValues = Record<string, string | number | bigint | Date | boolean | null | undefined>
export type Translate = (key: MessageKey, values?: MessageValues) => string

/** A key with its values, for a text chosen in one place and translated where it is shown. */
export interface Message {
  key: MessageKey
  values?: MessageValues
}

const compiled = new Map<string, IntlMessageFormat>()

function compile(locale: string, key: string): IntlMessageFormat | undefined {
  const id = `${locale}\u0000${key}`
  let format = compiled.get(id)
  if (!format) {
    // A key missing from a catalogue falls back to the reference language (a test keeps them complete).
    const own = catalogue(locale)[key]
    const source = own ?? catalogue(REFERENCE_LOCALE)[key]
    if (source === undefined) return undefined
    format = new IntlMessageFormat(source, own === undefined ? REFERENCE_LOCALE : locale, undefined, { ignoreTag: true })
    compiled.set(id, format)
  }
  return format
}

/** ICU MessageFormat: plurals by the language's rules ("0 conversation" in French), numbers and dates through Intl. */
export function translate(locale: string, key: string, values?: MessageValues): string {
  const format = compile(locale, key)
  if (!format) return key
  return String(format.format(values as Record<string, string | number | Date | boolean>))
}

const translators = new Map<string, Translate>()

export function translator(locale: string): Translate {
  let t = translators.get(locale)
  if (!t) {
    t = (key, values) => translate(locale, key, values)
    translators.set(locale, t)
  }
  return t
}

/** Whether a text is a catalogue key (domain errors and flash messages carry keys). */
export function isMessageKey(text: string): text is MessageKey {
  return catalogue(REFERENCE_LOCALE)[text] !== undefined
}
