import { foldLines, type ReplyLine } from './foldLines.ts'
import { splitReplyHtml } from './html.ts'
import type { SplitReply } from './types.ts'

// Folds away the quoted history and the signature of a customer's reply so the thread view shows
// only what the customer wrote. The full message stays stored and one click away; `folded` holds
// what was taken out. README.md beside this file documents the algorithm and the corpus it is
// tested on.


/**
 * Splits a plain-text reply. Every line of `text` ends up in `visible` or in `folded`; a body
 * that is all quote (or all signature) stays visible as a whole.
 */
export function splitReply(text: string): SplitReply {
  const rawLines = text.replace(/\r\n?/g, '\n').split('\n')
  const lines: ReplyLine[] = rawLines.map((line) => ({ text: line, quoted: /^[ \t\u00a0]*>/.test(line) }))
  const keep = foldLines(lines)
  const visible: string[] = []
  const folded: string[] = []
  rawLines.forEach((line, i) => (keep[i] ? visible : folded).push(line))
  return { visible: trimLines(visible.join('\n')), folded: trimLines(folded.join('\n')) }
}

/** Trims the text (blank lines and white space around it). */
function trimLines(text: string): string {
  return text.trim()
}

export { splitReplyHtml }
export type { SplitReply }
