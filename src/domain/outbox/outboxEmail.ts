import { z } from 'zod'
import type { Actor } from '../actor.ts'
import type { QueryContext } from '../context.ts'
import { NotFoundError } from '../errors.ts'
import { authorize, INSTANCE } from '../policy.ts'

// What the outbox stores per attachment (the bytes are in blobs); anything else reads as none.
const storedAttachments = z.array(z.object({ blobSha256: z.string(), fileName: z.string(), mimeType: z.string(), contentId: z.string().nullish() })).catch([])

/** The header column as name/value pairs (In-Reply-To, References, Auto-Submitted...). */
function headerList(headers: unknown): { name: string; value: string }[] {
  if (!headers || typeof headers !== 'object' || Array.isArray(headers)) return []
  return Object.entries(headers).map(([name, value]) => ({ name, value: String(value) }))
}

/** One e-mail of the outbox as written, with its conversation's number; for administrators. */
export async function getOutboxEmail(ctx: QueryContext, admin: Actor, id: number) {
  authorize(admin, 'administer', INSTANCE)
  const found = await ctx.prisma.outboxEmail.findUnique({ where: { id }, include: { conversation: { select: { number: true } } } })
  if (!found) throw new NotFoundError()
  // Parameters are the renderer's input (until rendered), not part of the e-mail as sent.
  const { params: _params, ...email } = found
  const attachments = storedAttachments.parse(email.attachments).map((a) => ({ fileName: a.fileName, mimeType: a.mimeType, contentId: a.contentId ?? null }))
  return { ...email, headers: headerList(email.headers), attachments }
}

export type OutboxEmailView = Awaited<ReturnType<typeof getOutboxEmail>>

/** The HTML version of an outbox e-mail, as it was (or will be) sent. */
export async function getOutboxEmailHtml(ctx: QueryContext, admin: Actor, id: number): Promise<string> {
  authorize(admin, 'administer', INSTANCE)
  const email = await ctx.prisma.outboxEmail.findUnique({ where: { id }, select: { html: true } })
  if (!email) throw new NotFoundError()
  return email.html
}

/** The `index`th attachment of an outbox e-mail, with its bytes. */
export async function getOutboxAttachment(ctx: QueryContext, admin: Actor, input: { id: number; index: number }) {
  authorize(admin, 'administer', INSTANCE)
  const email = await ctx.prisma.outboxEmail.findUnique({ where: { id: input.id }, select: { attachments: true } })
  const attachment = email ? storedAttachments.parse(email.attachments)[input.index] : undefined
  if (!attachment) throw new NotFoundError()
  const blob = await ctx.prisma.blob.findUnique({ where: { sha256: attachment.blobSha256 }, select: { data: true } })
  if (!blob) throw new NotFoundError('error.attachmentGone')
  return { fileName: attachment.fileName, mimeType: attachment.mimeType, data: Buffer.from(blob.data.buffer, blob.data.byteOffset, blob.data.byteLength) }
}
