import ejs from 'ejs'
import type { MessageKey, MessageValues, Translate } from '../../i18n/translate.ts'

/** The attributes of a tag a message names (`<a>…</a>`): its href, its style. */
export type TagAttributes = Record<string, string>

/** A message as HTML, its tags (<a>, <strong>, <em>) made real; everything else escaped. */
export type RichTranslate = (key: MessageKey, values?: MessageValues, tags?: Record<string, TagAttributes>) => string

/** Tags a message may hold without the caller naming them. */
const PLAIN_TAGS = new Set(['strong', 'em'])
const VALUE = /\u0001(\d+)\u0001/g

/**
 * For a sentence with markup in it ("<a>See your request</a> (#{number})."): the translator keeps
 * the tags as text (ICU ignoreTag), this turns them into HTML. The message and its values are
 * escaped as EJS escapes (so a template printing it stays byte for byte what it printed before);
 * only the tags the caller names, and <strong> and <em>, become markup, with escaped attributes.
 * A value never becomes markup: each is put in after the tags are made.
 */
export function richTranslator(t: Translate): RichTranslate {
  return (key, values = {}, tags = {}) => {
    const strings: string[] = []
    const marked: MessageValues = {}
    for (const [name, value] of Object.entries(values)) marked[name] = typeof value === 'string' ? `\u0001${strings.push(value) - 1}\u0001` : value
    const html = ejs.escapeXML(t(key, marked)).replace(/&lt;(\w+)&gt;([\s\S]*?)&lt;\/\1&gt;/g, (whole, name: string, inner: string) => {
      const attributes = tags[name]
      if (!attributes && !PLAIN_TAGS.has(name)) return whole
      const written = Object.entries(attributes ?? {})
        .map(([attribute, value]) => ` ${attribute}="${ejs.escapeXML(value)}"`)
        .join('')
      return `<${name}${written}>${inner}</${name}>`
    })
    return html.replace(VALUE, (_, i: string) => ejs.escapeXML(strings[Number(i)]))
  }
}
