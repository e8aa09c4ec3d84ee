import { createHash } from 'node:crypto'
import { fileTypeFromBuffer } from 'file-type'
import type { Tx } from '../../db/database.ts'
import { Prisma, type Attachment } from '../../generated/prisma/client.ts'

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

export interface AttachmentFile {
  data: Buffer
  fileName: string
  inline?: boolean
  contentId?: string | null
}

/**
 * Blobs written per statement: bounded in bytes (a statement's parameters are held in memory
 * until it is sent) and in rows (PostgreSQL takes at most 65,535 parameters).
 */
const BLOB_BATCH_BYTES = 8 * 1024 * 1024
const BLOB_BATCH_ROWS = 500

/**
 * Stores the files of one message: the bytes once each by SHA-256 (content-addressed), then one
 * attachment row per file, in a few statements whatever the number of files (one statement per
 * file kept an e-mail of 330 attachments in its transaction past the time limit). The rows come
 * back in the order of the files.
 */
export async function storeAttachments(tx: Tx, target: { conversationId: number; messageId?: number | null; at: Date }, files: AttachmentFile[]) {
  if (!files.length) return []
  const prepared = await Promise.all(
    files.map(async (f) => ({ ...f, sha256: createHash('sha256').update(f.data).digest('hex'), mimeType: await sniffType(f.data) })),
  )
  // In key order, so that two messages sharing files never wait on each other in opposite orders.
  const blobs = [...new Map(prepared.map((f) => [f.sha256, f.data] as const))].sort((a, b) => (a[0] < b[0] ? -1 : 1))
  let batch: (readonly [string, Buffer])[] = []
  let bytes = 0
  const flush = async () => {
    if (!batch.length) return
    const rows = batch.map(([sha256, data]) => Prisma.sql`(${sha256}, ${data.length}, ${data}, ${target.at})`)
    await tx.$executeRaw`INSERT INTO blobs (sha256, size, data, "createdAt") VALUES ${Prisma.join(rows)} ON CONFLICT (sha256) DO NOTHING`
    batch = []
    bytes = 0
  }
  for (const blob of blobs) {
    if (batch.length && (bytes + blob[1].length > BLOB_BATCH_BYTES || batch.length >= BLOB_BATCH_ROWS)) await flush()
    batch.push(blob)
    bytes += blob[1].length
  }
  await flush()
  // One statement with a column array each: an ORM createMany costs about 2 ms a row to build.
  const names = prepared.map((f) => cleanFileName(f.fileName))
  const rows = await tx.$queryRaw<Attachment[]>`
    INSERT INTO attachments ("conversationId", "messageId", "blobSha256", "fileName", "mimeType", size, inline, "contentId", "createdAt")
    SELECT ${target.conversationId}::int, ${target.messageId ?? null}::int, f.sha256, f."fileName", f."mimeType", f.size, f.inline, f."contentId", ${target.at}::timestamptz
    FROM unnest(${prepared.map((f) => f.sha256)}::text[], ${names}::text[], ${prepared.map((f) => f.mimeType)}::text[], ${prepared.map((f) => f.data.length)}::int[],
                ${prepared.map((f) => f.inline ?? false)}::boolean[], ${prepared.map((f) => f.contentId ?? null)}::text[]) WITH ORDINALITY AS f(sha256, "fileName", "mimeType", size, inline, "contentId", n)
    ORDER BY f.n
    RETURNING *`
  // Ids are given in the order of the rows inserted.
  return rows.sort((a, b) => a.id - b.id)
}

export function attachmentPath(a: { id: number; fileName: string }): string {
  return `/attachments/${a.id}/${encodeURIComponent(a.fileName)}`
}
