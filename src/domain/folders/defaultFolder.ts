import type { Prisma } from '../../db/database.ts'

type Tx = Pick<Prisma, 'folder'>

/** The first folder by position; conversations with no better home land here. */
export async function ensureDefaultFolder(tx: Tx) {
  const first = await tx.folder.findFirst({ orderBy: [{ position: 'asc' }, { id: 'asc' }] })
  return first ?? tx.folder.create({ data: { name: 'General', position: 0 } })
}
