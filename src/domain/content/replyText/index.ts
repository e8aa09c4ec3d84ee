import { foldLines, inlineAttributionStarts, type ReplyLine } from './foldLines.ts'
import { splitReplyHtml } from './html.ts'
import { QUOTED } from './patterns.ts'
import type { SplitReply } from './types.ts'

// Folds away the quoted history and the signature of a customer's reply so that the thread view
// shows what the customer wrote; the full message stays stored and one click away. README.md
// beside this file describes the algorithm and the corpus it is tested on.

/**
 * Splits a plain-text reply into the customer's new text (`visible`, trimmed) and the rest
 * (`folded`: attributions, quoted history, forwarded headers, signature). Every line of `text`
 * ends up in one of the two, in its original order; a line that holds the customer's words and
 * then an attribution is cut in two. A body that is all quote (or all signature) stays visible
 * as a whole.
 */
export function splitReply(text: string): SplitReply {
  let rawLines = text.replace(/\r\n?/g, '\n').split('\n')
  const toLines = (raw: string[]): ReplyLine[] => raw.map((line) => ({ text: line, quoted: QUOTED.test(line) }))
  let lines = toLines(rawLines)
  // An attribution that starts after the customer's words on the same line becomes a line of its
  // own, so that those words stay visible.
  const { starts, classified } = inlineAttributionStarts(lines)
  if (starts.size > 0) {
    rawLines = rawLines.flatMap((line, i) => {
      const at = starts.get(i)
      return at === undefined ? [line] : [line.slice(0, at).trimEnd(), line.slice(at)]
    })
    lines = toLines(rawLines)
  }
  const keep = foldLines(lines, starts.size > 0 ? undefined : classified)
  const visible: string[] = []
  const folded: string[] = []
  rawLines.forEach((line, i) => (keep[i] ? visible : folded).push(line))
  return { visible: visible.join('\n').trim(), folded: folded.join('\n').trim() }
}

export { splitReplyHtml }
export type { SplitReply }
