import { createHash } from 'node:crypto'
import { fileTypeFromBuffer } from 'file-type'
import type { Tx } from '../../db/database.ts'

/** Types shown inline in the thread; everything else is offered as a download only. */
export const INLINE_IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp'])

/** A file name safe to store and send back: no folders, no control characters, bounded length. */
export function cleanFileName(name: string, fallback = 'file'): string {
  const base = name.split(/[\\/]/).pop() ?? ''
  const cleaned = base
    .normalize('NFC')
    .replace(/[\u0000-\u001f\u007f"<>|:*?]+/g, '')
    // Bidirectional controls could make "gpj.exe" read as "exe.jpg".
    .replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/^\.+/, '')
    .trim()
    .slice(-200)
  return cleaned || fallback
}

/** The type is read from the bytes, never taken from the sender's claim. */
export async function sniffType(data: Buffer): Promise<string> {
  const detected = await fileTypeFromBuffer(data)
  if (detected) return detected.mime
  // Text formats have no magic number; valid UTF-8 without NULs is served as plain text.
  if (!data.includes(0) && Buffer.from(data.toString('utf8'), 'utf8').equals(data)) return 'text/plain'
  return 'application/octet-stream'
}

/** Stores the bytes once by SHA-256 (content-addressed) and links an attachment row to them. */
export async function storeAttachment(
  tx: Tx,
  file: { data: Buffer; fileName: string; conversationId: number; messageId?: number | null; inline?: boolean; contentId?: string | null; at: Date },
) {
  const sha256 = createHash('sha256').update(file.data).digest('hex')
  await tx.$executeRaw`INSERT INTO blobs (sha256, size, data, "createdAt") VALUES (${sha256}, ${file.data.length}, ${file.data}, ${file.at}) ON CONFLICT (sha256) DO NOTHING`
  const mimeType = await sniffType(file.data)
  return tx.attachment.create({
    data: {
      conversationId: file.conversationId,
      messageId: file.messageId ?? null,
      blobSha256: sha256,
      fileName: cleanFileName(file.fileName),
      mimeType,
      size: file.data.length,
      inline: file.inline ?? false,
      contentId: file.contentId ?? null,
      createdAt: file.at,
    },
  })
}

export function attachmentPath(a: { id: number; fileName: string }): string {
  return `/attachments/${a.id}/${encodeURIComponent(a.fileName)}`
}
