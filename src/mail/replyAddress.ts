import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * Reply addresses carry the conversation: support+c123-1a2b3c4d5e6f7a8b@example.com. The
 * signature (an HMAC of the conversation id) stops anyone from posting into a conversation by
 * guessing numbers.
 */
function signature(secret: string, conversationId: number): string {
  return createHmac('sha256', secret).update(`reply-address:${conversationId}`).digest('hex').slice(0, 16)
}

/** The plus-address of `base` that leads replies back to the conversation. */
export function replyAddressFor(base: string, secret: string, conversationId: number): string {
  const at = base.lastIndexOf('@')
  const local = base.slice(0, at).split('+')[0]
  return `${local}+c${conversationId}-${signature(secret, conversationId)}${base.slice(at)}`
}

const TOKEN = /\+c(\d{1,10})-([0-9a-f]{16})@/i

/** The conversation a recipient address points to, when its token is genuine. */
export function conversationFromAddress(address: string, secret: string): number | null {
  const m = TOKEN.exec(address)
  if (!m) return null
  const id = Number(m[1])
  const expected = Buffer.from(signature(secret, id))
  const given = Buffer.from(m[2]!.toLowerCase())
  return expected.length === given.length && timingSafeEqual(expected, given) ? id : null
}

/** The bare address of "Name <addr@host>" (lower-cased), or the input when it is bare already. */
export function bareAddress(value: string): string {
  const m = /<([^<>]+)>\s*$/.exec(value)
  return (m ? m[1]! : value).trim().toLowerCase()
}
