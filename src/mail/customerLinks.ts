import { createHmac, timingSafeEqual } from 'node:crypto'
import type { MailContext } from './mailContext.ts'

/**
 * Links in e-mails to customers work without a login: the token names the conversation and is
 * signed for one purpose, so a status-page link cannot be turned into a "solved" click, and no
 * number can be guessed. 128-bit signatures.
 */
export type LinkPurpose = 'status' | 'solved' | 'not-solved' | 'rate'

function sign(secret: string, purpose: LinkPurpose, conversationId: number): string {
  return createHmac('sha256', secret).update(`customer-link:${purpose}:${conversationId}`).digest('base64url').slice(0, 22)
}

export function customerToken(secret: string, purpose: LinkPurpose, conversationId: number): string {
  return `${conversationId}.${sign(secret, purpose, conversationId)}`
}

/** The conversation id of a genuine token for that purpose, else null. */
export function verifyCustomerToken(secret: string, purpose: LinkPurpose, token: string): number | null {
  const m = /^(\d{1,10})\.([\w-]{22})$/.exec(token)
  if (!m) return null
  const id = Number(m[1])
  const expected = Buffer.from(sign(secret, purpose, id))
  const given = Buffer.from(m[2]!)
  return expected.length === given.length && timingSafeEqual(expected, given) ? id : null
}

export const statusPageUrl = (mail: MailContext, conversationId: number) => `${mail.publicUrl}/s/${customerToken(mail.secret, 'status', conversationId)}`

export const answerUrl = (mail: MailContext, conversationId: number, answer: 'solved' | 'not-solved') =>
  `${mail.publicUrl}/r/${answer}/${customerToken(mail.secret, answer, conversationId)}`

/**
 * The three one-click rating links of an e-mail (great, okay, not good): one signed token, the
 * value in the query (the customer may change it on the page anyway).
 */
export const ratingUrls = (mail: MailContext, conversationId: number) => {
  const base = `${mail.publicUrl}/rate/${customerToken(mail.secret, 'rate', conversationId)}`
  return { great: `${base}?value=great`, okay: `${base}?value=okay`, bad: `${base}?value=bad` }
}
