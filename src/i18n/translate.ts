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

/**
 * A compiled message: its text when it has no argument (most of them), a fast filler when it only
 * puts values in ({name}), else the ICU formatter (plurals, selects, numbers, dates).
 */
type Compiled = IntlMessageFormat | string | ((values?: MessageValues) => string)

/** A value as ICU prints a plain {argument}. */
const text = (value: MessageValues[string]) => (value instanceof Date ? value.toISOString() : String(value ?? ''))

/** A message made only of text and {name} arguments, as a function that puts the values in. */
function filler(ast: ReturnType<IntlMessageFormat['getAst']>): ((values?: MessageValues) => string) | null {
  const parts: (string | { name: string })[] = []
  for (const element of ast) {
    if (element.type === 0) parts.push(element.value)
    else if (element.type === 1) parts.push({ name: element.value })
    else return null
  }
  return (values) => {
    let out = ''
    for (const part of parts) out += typeof part === 'string' ? part : text(values?.[part.name])
    return out
  }
}

const byLocale = new Map<string, Map<string, Compiled>>()

function compile(locale: string, key: string): Compiled | undefined {
  let compiled = byLocale.get(locale)
  if (!compiled) byLocale.set(locale, (compiled = new Map()))
  let found = compiled.get(key)
  if (found === undefined) {
    // A key missing from a catalogue falls back to the reference language (a test keeps them complete).
    const own = catalogue(locale)[key]
    const source = own ?? catalogue(REFERENCE_LOCALE)[key]
    if (source === undefined) return undefined
    const format = new IntlMessageFormat(source, own === undefined ? REFERENCE_LOCALE : locale, undefined, { ignoreTag: true })
    const ast = format.getAst()
    // A message of plain text (no argument, no quoted syntax) is kept as its formatted text.
    found = ast.length === 1 && ast[0]!.type === 0 ? String(format.format()) : ast.length === 0 ? '' : (filler(ast) ?? format)
    compiled.set(key, found)
  }
  return found
}

const formatted = new Map<string, string>()

/** The values of a message as a key (dates by their time: the same instant formats the same). */
function valuesKey(values: MessageValues | undefined): string {
  if (!values) return ''
  let out = ''
  for (const name in values) {
    const value = values[name]
    out += `${name}=${value instanceof Date ? `d${value.getTime()}` : typeof value === 'string' ? `s${value}` : `${typeof value}${String(value)}`}\u0001`
  }
  return out
}

/** ICU MessageFormat: plurals by the language's rules ("0 conversation" in French), numbers and dates through Intl. */
export function translate(locale: string, key: string, values?: MessageValues): string {
  const found = compile(locale, key)
  if (found === undefined) return key
  if (typeof found === 'string') return found
  if (typeof found === 'function') return found(values)
  // ICU formatting (plurals, numbers) is the dear part; the same counts come back page after page.
  const id = `${locale}\u0000${key}\u0000${valuesKey(values)}`
  let text = formatted.get(id)
  if (text === undefined) {
    if (formatted.size >= 10_000) formatted.clear()
    text = String(found.format(values as Record<string, string | number | Date | boolean>))
    formatted.set(id, text)
  }
  return text
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
