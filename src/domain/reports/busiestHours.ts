import type { Prisma, Tx } from '../../db/database.ts'
import { utcOffsetAt } from './businessHours.ts'
import { HOUR_COLUMNS } from './contribution.ts'

const HOUR_MS = 3_600_000
const DAY_MS = 86_400_000

/**
 * Customer messages by weekday (0 Monday … 6 Sunday) and hour (0–23) in the viewer's time zone,
 * over the viewer's local days [from, to]. report_hours keeps them per UTC day and UTC hour: the
 * statement sums the folders' rows of each UTC day (a year is ~370 rows), and each UTC hour is
 * then placed at the weekday and hour its start shows in the viewer's zone, as PostgreSQL's
 * AT TIME ZONE did when the rows were hours. The range's bounds come from PostgreSQL, as before.
 */
export async function busiestHoursOf(
  db: Pick<Prisma | Tx, '$queryRawUnsafe'>,
  range: { from: string; to: string; timeZone: string; tagId: number; folders: number[] | null },
): Promise<number[][]> {
  const rows = await db.$queryRawUnsafe<({ day: string; lo: number; hi: number } & Record<string, number>)[]>(
    `SELECT day::text AS day,
            extract(epoch FROM $1::date::timestamp AT TIME ZONE $4)::float8 * 1000 AS lo,
            extract(epoch FROM ($2::date + 1)::timestamp AT TIME ZONE $4)::float8 * 1000 AS hi,
            ${HOUR_COLUMNS.map((c) => `sum(${c})::int AS ${c}`).join(', ')}
     FROM report_hours
     WHERE "tagId" = $3 AND day BETWEEN $1::date - 1 AND $2::date + 1 AND ($5::int[] IS NULL OR "folderId" = ANY($5::int[]))
     GROUP BY day`,
    range.from,
    range.to,
    range.tagId,
    range.timeZone,
    range.folders,
  )
  const grid = Array.from({ length: 7 }, () => new Array<number>(24).fill(0))
  for (const row of rows) {
    const dayStart = Date.parse(`${row.day}T00:00:00Z`)
    for (let h = 0; h < 24; h++) {
      const count = row[HOUR_COLUMNS[h]!]!
      const at = dayStart + h * HOUR_MS
      if (!count || at < row.lo || at >= row.hi) continue
      const wall = at + utcOffsetAt(at, range.timeZone)
      const localDay = Math.floor(wall / DAY_MS)
      // 1970-01-01 was a Thursday (3 when Monday is 0).
      const weekday = (((localDay + 3) % 7) + 7) % 7
      const hour = Math.floor((wall - localDay * DAY_MS) / HOUR_MS)
      grid[weekday]![hour]! += count
    }
  }
  return grid
}
