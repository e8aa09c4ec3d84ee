import type { Prisma } from '../../db/database.ts'
import { loadSettings } from '../settings/settings.ts'

type Tx = Pick<Prisma, 'folder' | 'setting' | '$executeRaw'>

/** The first folder by position; conversations with no better home land here. Made with the instance's language and time zone. */
export async function ensureDefaultFolder(tx: Tx) {
  const first = await tx.folder.findFirst({ orderBy: [{ position: 'asc' }, { id: 'asc' }] })
  if (first) return first
  const { defaultLocale, defaultTimeZone } = await loadSettings(tx)
  // Two first messages at once on a fresh install: the unique name lets only one create it.
  await tx.$executeRaw`INSERT INTO folders (name, position, "signatureHtml", locale, "timeZone", "createdAt", "updatedAt") VALUES ('General', 0, '', ${defaultLocale}, ${defaultTimeZone}, now(), now()) ON CONFLICT (name) DO NOTHING`
  return tx.folder.findFirstOrThrow({ orderBy: [{ position: 'asc' }, { id: 'asc' }] })
}
