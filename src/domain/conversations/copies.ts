import { z } from 'zod'
import type { Tx } from '../../db/database.ts'
import type { Conversation } from '../../generated/prisma/client.ts'
import { schemaMessage, typedValue } from '../../i18n/issueMessages.ts'
import type { ConversationEventType, EventData } from '../events/types.ts'

/** At most this many addresses in Cc, and as many in Bcc (a reply is not a mailing list). */
export const MAX_COPIES = 20

const ADDRESS = z.email()

/**
 * "a@x.org, b@y.org c@z.org" (commas, semicolons or spaces) or a list, as one list of addresses;
 * "Name <a@x.org>" pasted from a mail program is its address.
 */
function pieces(value: unknown): unknown {
  const list = Array.isArray(value) ? value : typeof value === 'string' ? [value] : null
  if (!list) return value
  return list.flatMap((v) => {
    if (typeof v !== 'string') return [v]
    return v.split(/[,;]+/).flatMap((part) => {
      const bracketed = /<([^<>]*)>/.exec(part)?.[1]
      return bracketed !== undefined ? [bracketed.trim()] : part.split(/\s+/).filter(Boolean)
    })
  })
}

/**
 * A list of e-mail addresses as a person types it: each one checked (the wrong one quoted back),
 * lower-cased, each kept once, at most MAX_COPIES.
 */
export const addressList = z.preprocess(
  pieces,
  z
    .array(z.string().max(254))
    .transform((list, ctx) => {
      const out: string[] = []
      for (const piece of list) {
        const address = piece.toLowerCase()
        if (!ADDRESS.safeParse(address).success) {
          ctx.addIssue({ code: 'custom', message: schemaMessage('validation.copies.badAddress', { address: typedValue(piece) }) })
          return z.NEVER
        }
        if (!out.includes(address)) out.push(address)
      }
      return out
    })
    .pipe(z.array(z.string()).max(MAX_COPIES, schemaMessage('validation.copies.tooMany', { max: MAX_COPIES }))),
)

/** Addresses (lower-cased, each once) without those of `excluded` (compared lower-cased), at most MAX_COPIES. */
export function withoutAddresses(list: readonly string[], excluded: readonly string[]): string[] {
  const out = new Set<string>()
  const skip = new Set(excluded.map((a) => a.toLowerCase()))
  for (const a of list) if (!skip.has(a.toLowerCase())) out.add(a.toLowerCase())
  return [...out].slice(0, MAX_COPIES)
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i])

type RecordEvent = (type: ConversationEventType, data?: EventData) => Promise<unknown>

/**
 * Keeps the copies on the locked conversation for its next replies; records `copies.changed`
 * only when they changed. Returns the conversation as it is now.
 */
export async function keepCopies(tx: Tx, record: RecordEvent, conversation: Conversation, copies: { cc: string[]; bcc: string[] }): Promise<Conversation> {
  if (sameList(conversation.cc, copies.cc) && sameList(conversation.bcc, copies.bcc)) return conversation
  const updated = await tx.conversation.update({ where: { id: conversation.id }, data: { cc: copies.cc, bcc: copies.bcc } })
  await record('copies.changed', { cc: copies.cc, bcc: copies.bcc })
  return updated
}

/**
 * The people a customer's e-mail was copied to join the conversation's Cc (after those already
 * there, up to MAX_COPIES), without its customer: the next replies go to them too.
 */
export async function joinCustomerCopies(tx: Tx, record: RecordEvent, conversation: Conversation, cc: readonly string[]): Promise<Conversation> {
  if (cc.length === 0) return conversation
  const customer = await tx.customer.findUniqueOrThrow({ where: { id: conversation.customerId }, select: { email: true } })
  const joined = withoutAddresses([...conversation.cc, ...cc], [customer.email, ...conversation.bcc])
  return keepCopies(tx, record, conversation, { cc: joined, bcc: conversation.bcc })
}
