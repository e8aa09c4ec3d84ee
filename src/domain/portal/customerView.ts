import type { Prisma } from '../../db/database.ts'
import { NotFoundError } from '../errors.ts'

/** Message kinds a customer may see: never internal comments, never system notes. */
export const PUBLIC_KINDS = ['customer', 'agent'] as const

/** What the customer's status page shows, for a conversation its signed link names. */
export async function getCustomerView(prisma: Prisma, conversationId: number) {
  const conversation = await prisma.conversation.findUnique({
    where: { id: conversationId },
    select: {
      id: true,
      number: true,
      subject: true,
      status: true,
      closedAt: true,
      createdAt: true,
      customer: { select: { name: true, email: true } },
      messages: {
        where: { kind: { in: [...PUBLIC_KINDS] } },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        select: {
          id: true,
          kind: true,
          bodyHtml: true,
          createdAt: true,
          author: { select: { name: true } },
          attachments: { select: { id: true, fileName: true, size: true, mimeType: true, inline: true } },
        },
      },
    },
  })
  if (!conversation) throw new NotFoundError()
  return conversation
}

/** An attachment of one of the conversation's public messages, with its bytes. */
export async function findCustomerAttachment(prisma: Prisma, conversationId: number, attachmentId: number) {
  const attachment = await prisma.attachment.findFirst({ where: { id: attachmentId, conversationId, message: { kind: { in: [...PUBLIC_KINDS] } } } })
  if (!attachment) throw new NotFoundError()
  const blob = await prisma.blob.findUniqueOrThrow({ where: { sha256: attachment.blobSha256 }, select: { data: true } })
  return { attachment, data: Buffer.from(blob.data) }
}

/** The customer a conversation belongs to: the one its signed link speaks for. */
export async function findConversationCustomer(prisma: Prisma, conversationId: number): Promise<number> {
  const conversation = await prisma.conversation.findUnique({ where: { id: conversationId }, select: { customerId: true } })
  if (!conversation) throw new NotFoundError()
  return conversation.customerId
}
