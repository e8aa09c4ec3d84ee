import { foldLines, type ReplyLine } from './foldLines.ts'
import { splitReplyHtml } from './html.ts'
import { QUOTED } from './patterns.ts'
import type { SplitReply } from './types.ts'

// Folds away the quoted history and the signature of a customer's reply so that the thread view
// shows what the customer wrote; the full message stays stored and one click away. README.md
// beside this file describes the algorithm and the corpus it is tested on.

/**
 * Splits a plain-text reply into the customer's new text (`visible`, trimmed) and the rest
 * (`folded`: attributions, quoted history, forwarded headers, signature). Every line of `text`
 * ends up in one of the two, in its original order. A body that is all quote (or all signature)
 * stays visible as a whole.
 */
export function splitReply(text: string): SplitReply {
  const rawLines = text.replace(/\r\n?/g, '\n').split('\n')
  const lines: ReplyLine[] = rawLines.map((line) => ({ text: line, quoted: QUOTED.test(line) }))
  const keep = foldLines(lines)
  const visible: string[] = []
  const folded: string[] = []
  rawLines.forEach((line, i) => (keep[i] ? visible : folded).push(line))
  return { visible: visible.join('\n').trim(), folded: folded.join('\n').trim() }
}

export { splitReplyHtml }
export type { SplitReply }
