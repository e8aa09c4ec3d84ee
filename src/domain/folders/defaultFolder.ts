import type { Prisma } from '../../db/database.ts'

type Tx = Pick<Prisma, 'folder' | '$executeRaw'>

/** The first folder by position; conversations with no better home land here. */
export async function ensureDefaultFolder(tx: Tx) {
  const first = await tx.folder.findFirst({ orderBy: [{ position: 'asc' }, { id: 'asc' }] })
  if (first) return first
  // Two first messages at once on a fresh install: the unique name lets only one create it.
  await tx.$executeRaw`INSERT INTO folders (name, position, "signatureHtml", "createdAt", "updatedAt") VALUES ('General', 0, '', now(), now()) ON CONFLICT (name) DO NOTHING`
  return tx.folder.findFirstOrThrow({ orderBy: [{ position: 'asc' }, { id: 'asc' }] })
}
