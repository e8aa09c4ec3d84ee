import type { Prisma } from '../../db/database.ts'
import { NotFoundError } from '../errors.ts'
import { conversationScopeWhere, type FolderScope } from '../policy.ts'

/** An attachment and its bytes, if its conversation is in the agent's folders. */
export async function findVisibleAttachment(prisma: Prisma, scope: FolderScope, id: number) {
  const attachment = await prisma.attachment.findFirst({ where: { id, conversation: conversationScopeWhere(scope) } })
  if (!attachment) throw new NotFoundError()
  const blob = await prisma.blob.findUniqueOrThrow({ where: { sha256: attachment.blobSha256 }, select: { data: true } })
  return { attachment, data: Buffer.from(blob.data) }
}
