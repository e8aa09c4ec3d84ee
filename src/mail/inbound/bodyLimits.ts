import { formatBytes, type UploadedFile } from '../../domain/conversations/messageBody.ts'

/**
 * How much of an e-mail's body the conversation shows. Sanitising and converting HTML costs about
 * a second per megabyte on one core, during which nothing else runs; and nobody reads a
 * 5-megabyte e-mail in a help desk (webmail clips at about 100 KB). Beyond these sizes the body
 * shown is cut and the whole version is attached, so nothing is lost (the raw e-mail is kept too).
 */
export const HTML_SHOWN_MAX = 512 * 1024
export const TEXT_SHOWN_MAX = 256 * 1024
const ROUGH_TEXT_SOURCE_MAX = 4 * TEXT_SHOWN_MAX

export interface BoundedBody {
  html: string | null
  text: string
  /** The whole versions that were too large to show. */
  files: UploadedFile[]
  /** What was done, for the agents (appended to the message). */
  notes: string[]
}

// NUL cannot be stored in PostgreSQL text; some mailers put it in bodies.
const withoutNul = (s: string) => (s.includes('\u0000') ? s.replace(/\u0000/g, '') : s)

/** A plain-text version of HTML too large to convert properly: tags dropped, in linear time. */
export function roughText(html: string): string {
  // Script and style contents are not text; cut them out by searching, not by a backtracking pattern.
  let visible = ''
  const lower = html.toLowerCase()
  for (let at = 0; at < html.length;) {
    const open = lower.slice(at).search(/<(script|style)\b/)
    if (open < 0) {
      visible += html.slice(at)
      break
    }
    visible += html.slice(at, at + open)
    const tag = lower.startsWith('<script', at + open) ? 'script' : 'style'
    const close = lower.indexOf(`</${tag}`, at + open)
    if (close < 0) break
    const end = lower.indexOf('>', close)
    at = end < 0 ? html.length : end + 1
  }
  return visible
    .replace(/<(?:br|\/p|\/div|\/tr|\/li|\/h\d)\b[^<>]*>/gi, '\n')
    .replace(/<[^<>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\r/g, '')
    .replace(/[ \t]+/g, ' ')
    .replace(/\n(?: ?\n){2,}/g, '\n\n')
    .trim()
}

export function boundBody(input: { html: string | null; text: string }): BoundedBody {
  let html = input.html === null ? null : withoutNul(input.html)
  let text = withoutNul(input.text)
  const files: UploadedFile[] = []
  const notes: string[] = []
  if (html !== null && html.length > HTML_SHOWN_MAX) {
    files.push({ fileName: 'message.html', data: Buffer.from(html) })
    notes.push(`The HTML version of this e-mail (${formatBytes(Buffer.byteLength(html))}) is too large to show; it is attached as message.html`)
    // Only the beginning is converted: more than the text shown would be thrown away.
    if (!text.trim()) text = roughText(html.slice(0, ROUGH_TEXT_SOURCE_MAX))
    html = null
  }
  if (text.length > TEXT_SHOWN_MAX) {
    files.push({ fileName: 'message.txt', data: Buffer.from(text) })
    notes.push(
      `The text of this e-mail is cut after ${formatBytes(TEXT_SHOWN_MAX)}; all of it (${formatBytes(Buffer.byteLength(text))}) is attached as message.txt`,
    )
    text = `${text.slice(0, TEXT_SHOWN_MAX)}…`
  }
  return { html, text, files, notes }
}
