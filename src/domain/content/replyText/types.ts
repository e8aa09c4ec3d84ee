/** A reply body split into the customer's new text and the rest. */
export interface SplitReply {
  /** The new text the customer wrote, trimmed. Never empty when the body has text of its own. */
  visible: string
  /** What was folded away (quoted history, attributions, forwarded headers, signature), in order. */
  folded: string
}
