import { randomBytes } from 'node:crypto'
import { Webhook } from 'standardwebhooks'

/**
 * Signatures in the Standard Webhooks format (standardwebhooks.com): the receiver checks
 * webhook-signature with the endpoint's secret over "<webhook-id>.<webhook-timestamp>.<body>".
 * The library signs, so the format is the one its verifiers expect.
 */

/** A new endpoint secret, `whsec_` and 32 random bytes in base64: what receivers' libraries take as is. */
export const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64')}`

export interface SignedHeaders {
  'webhook-id': string
  'webhook-timestamp': string
  'webhook-signature': string
}

/** The three headers of one attempt; the timestamp is the attempt's (seconds), the id the delivery's. */
export function signedHeaders(secret: string, messageId: string, at: Date, body: string): SignedHeaders {
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(messageId, at, body),
  }
}
