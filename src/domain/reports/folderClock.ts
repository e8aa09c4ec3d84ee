import type { Prisma, Tx } from '../../db/database.ts'
import type { FolderClock } from './contribution.ts'
import { businessSeconds, localDay, parseBusinessHours } from './businessHours.ts'

/** Each folder's calendar as the rollups count in it: its time zone and its business hours. */
export async function folderClocks(db: Pick<Prisma | Tx, '$queryRawUnsafe'>): Promise<Map<number, FolderClock>> {
  const folders = await db.$queryRawUnsafe<{ id: number; timeZone: string; businessHours: unknown }[]>(`SELECT id, "timeZone", "businessHours" FROM folders`)
  const out = new Map<number, FolderClock>()
  for (const f of folders) {
    const calendar = parseBusinessHours(f.businessHours)
    out.set(f.id, {
      day: (at) => localDay(at, f.timeZone),
      businessSeconds: (from, to) => businessSeconds(from, to, calendar, f.timeZone),
    })
  }
  return out
}
