import type { Prisma } from '../../db/database.ts'
import type { MailContext } from '../mailContext.ts'
import { MAX_COPIES } from '../../domain/conversations/copies.ts'
import { bareAddress, conversationFromAddress } from '../replyAddress.ts'
import type { InboundMail } from './parse.ts'

/** An address without its plus-tag (support+c12-…@x.org → support@x.org). */
const untagged = (address: string) => address.replace(/\+[^@]*@/, '@')

/**
 * The people a customer copied their e-mail to, as the conversation keeps them: the Cc line less
 * the help desk's own addresses (the sending address, every folder's inbound address, any signed
 * reply address) and less the sender. Bounded, like the conversation's list.
 */
export async function customerCopies(prisma: Prisma, mail: MailContext, inbound: InboundMail, senderAddress: string): Promise<string[]> {
  const listed = [...new Set(inbound.cc.map((m) => m.address.toLowerCase()))].slice(0, 100)
  if (listed.length === 0) return []
  const candidates = [...new Set([...listed, ...listed.map(untagged)])]
  const folders = await prisma.folder.findMany({ where: { inboundAddress: { in: candidates, mode: 'insensitive' } }, select: { inboundAddress: true } })
  const ours = new Set([bareAddress(mail.supportAddress), ...folders.map((f) => f.inboundAddress!.toLowerCase())])
  const sender = senderAddress.toLowerCase()
  return listed.filter((a) => a !== sender && !ours.has(a) && !ours.has(untagged(a)) && conversationFromAddress(a, mail.secret) === null).slice(0, MAX_COPIES)
}
