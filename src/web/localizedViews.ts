import { readFileSync } from 'node:fs'
import ejs from 'ejs'
import { isMessageKey, translate } from '../i18n/translate.ts'

/**
 * Pages compiled once per language. A text without values (`<%= t('list.apply') %>`, most of a
 * page) is written into the template when it is compiled for a language, so that rendering does
 * not look it up, escape it and add it as a piece of its own: a list page has hundreds of them,
 * and the pieces cost as much again when the page is turned into bytes. Texts with values are
 * still translated as the page renders.
 *
 * EJS compiles a file (and each file it includes) through `ejs.fileLoader` and keeps it in
 * `ejs.cache` by file name; both are given the language of the page being rendered. Rendering a
 * page is synchronous, so the language is simply set around it.
 */
let rendering: string | null = null

const STATIC_TEXT = /<%=\s*t\(\s*'([a-zA-Z0-9_.-]+)'\s*\)\s*%>/g

export function inlineStaticTexts(source: string, locale: string): string {
  return source.replace(STATIC_TEXT, (whole, key: string) => (isMessageKey(key) ? ejs.escapeXML(translate(locale, key)) : whole))
}

const compiled = new Map<string, ejs.TemplateFunction | ejs.AsyncTemplateFunction>()
ejs.cache = {
  get: (file: string) => compiled.get(`${rendering ?? ''}\u0000${file}`),
  set: (file: string, template: ejs.TemplateFunction | ejs.AsyncTemplateFunction) => void compiled.set(`${rendering ?? ''}\u0000${file}`, template),
  remove: (file: string) => void compiled.delete(`${rendering ?? ''}\u0000${file}`),
  reset: () => compiled.clear(),
} as typeof ejs.cache
ejs.fileLoader = (file: string) => {
  const source = readFileSync(file, 'utf8')
  return rendering ? inlineStaticTexts(source, rendering) : source
}

/** Renders a page in `locale` (synchronously, through the callback, as Express asks of an engine). */
export function renderPage(file: string, data: ejs.Data, options: ejs.Options, locale: string, done: (err: unknown, html?: string) => void) {
  rendering = locale
  try {
    ejs.renderFile(file, data, options, done)
  } finally {
    rendering = null
  }
}
