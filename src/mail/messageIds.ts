import { randomUUID } from 'node:crypto'

/** A new RFC 5322 Message-ID, <uuid@mailDomain>: fixed when a message is written, reused by every send. */
export function newMessageId(mailDomain: string): string {
  return `<${randomUUID()}@${mailDomain}>`
}
