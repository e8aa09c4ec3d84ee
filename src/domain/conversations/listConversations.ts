import { z } from 'zod'
import type { Prisma } from '../../db/database.ts'
import { Prisma as P } from '../../generated/prisma/client.ts'
import type { ConversationStatus } from '../../generated/prisma/enums.ts'
import type { Actor } from '../agents/authenticate.ts'
import type { FolderScope } from '../policy.ts'

export const TABS = ['new', 'open', 'pending', 'closed', 'all', 'mine', 'unassigned'] as const
export type Tab = (typeof TABS)[number]

const id = z.coerce.number().int().positive().max(2_147_483_647)

/** The list's query string; anything malformed falls back to "not set" rather than an error page. */
export const listQuerySchema = z.object({
  tab: z.enum(TABS).catch('new'),
  folder: id.optional().catch(undefined),
  /** An agent id, or "none" for unassigned. */
  assignee: z.union([id, z.literal('none')]).optional().catch(undefined),
  tag: id.optional().catch(undefined),
  q: z.string().trim().max(200).optional().catch(undefined),
  /** Keyset cursor: "<lastActivityAt ms>_<id>" of the last row of the previous page. */
  after: z
    .string()
    .regex(/^\d{1,15}_\d{1,10}$/)
    .optional()
    .catch(undefined),
})
export type ListQuery = z.infer<typeof listQuerySchema>

export const PAGE_SIZE = 50

export interface ConversationRow {
  id: number
  number: number
  subject: string
  status: ConversationStatus
  snippet: string
  lastActivityAt: Date
  customerName: string
  customerEmail: string
  assigneeName: string | null
  folderName: string
  tags: { id: number; name: string; colour: string }[]
}

function scopeSql(scope: FolderScope) {
  if (scope === null) return P.sql`TRUE`
  if (scope.length === 0) return P.sql`FALSE`
  return P.sql`c."folderId" IN (${P.join(scope)})`
}

function tabSql(tab: Tab, actor: Actor) {
  switch (tab) {
    case 'all':
      return P.sql`TRUE`
    case 'mine':
      return P.sql`c."assigneeId" = ${actor.id} AND c.status <> 'closed'`
    case 'unassigned':
      return P.sql`c."assigneeId" IS NULL AND c.status <> 'closed'`
    default:
      return P.sql`c.status = ${tab}::"ConversationStatus"`
  }
}

/** Folder, assignee and tag filters: they narrow the counts as well as the list. */
function filterSql(q: ListQuery) {
  const parts = [P.sql`TRUE`]
  if (q.folder) parts.push(P.sql`c."folderId" = ${q.folder}`)
  if (q.assignee === 'none') parts.push(P.sql`c."assigneeId" IS NULL`)
  else if (q.assignee) parts.push(P.sql`c."assigneeId" = ${q.assignee}`)
  if (q.tag) parts.push(P.sql`EXISTS (SELECT 1 FROM conversation_tags ct WHERE ct."conversationId" = c.id AND ct."tagId" = ${q.tag})`)
  return P.join(parts, ' AND ')
}

/** Full-text match on the subject, any message, or the customer's name and address (GIN indexes). */
function searchSql(text: string | undefined) {
  if (!text) return P.sql`TRUE`
  const query = P.sql`websearch_to_tsquery('simple', ${text})`
  return P.sql`c.id IN (
    SELECT m."conversationId" FROM messages m WHERE m.search @@ ${query}
    UNION SELECT c2.id FROM conversations c2 WHERE c2.search @@ ${query}
    UNION SELECT c3.id FROM conversations c3 JOIN customers cu3 ON cu3.id = c3."customerId" WHERE cu3.search @@ ${query}
  )`
}

export async function listConversations(prisma: Prisma, actor: Actor, scope: FolderScope, query: ListQuery) {
  let keyset = P.sql`TRUE`
  if (query.after) {
    const [ms, lastId] = query.after.split('_').map(Number) as [number, number]
    keyset = P.sql`(c."lastActivityAt", c.id) < (${new Date(ms)}::timestamptz, ${lastId})`
  }
  const rows = await prisma.$queryRaw<Omit<ConversationRow, 'tags'>[]>`
    SELECT c.id, c.number, c.subject, c.status::text AS status, c.snippet, c."lastActivityAt",
           cu.name AS "customerName", cu.email AS "customerEmail", a.name AS "assigneeName", f.name AS "folderName"
    FROM conversations c
    JOIN customers cu ON cu.id = c."customerId"
    JOIN folders f ON f.id = c."folderId"
    LEFT JOIN agents a ON a.id = c."assigneeId"
    WHERE ${scopeSql(scope)} AND ${tabSql(query.tab, actor)} AND ${filterSql(query)} AND ${searchSql(query.q)} AND ${keyset}
    ORDER BY c."lastActivityAt" DESC, c.id DESC
    LIMIT ${PAGE_SIZE + 1}`
  const hasMore = rows.length > PAGE_SIZE
  const page = rows.slice(0, PAGE_SIZE)
  const tagRows = page.length
    ? await prisma.$queryRaw<{ conversationId: number; id: number; name: string; colour: string }[]>`
        SELECT ct."conversationId", t.id, t.name, t.colour FROM conversation_tags ct JOIN tags t ON t.id = ct."tagId"
        WHERE ct."conversationId" IN (${P.join(page.map((r) => r.id))}) ORDER BY t.name`
    : []
  const tagsOf = new Map<number, ConversationRow['tags']>()
  for (const t of tagRows) tagsOf.set(t.conversationId, [...(tagsOf.get(t.conversationId) ?? []), { id: t.id, name: t.name, colour: t.colour }])
  const last = page.at(-1)
  return {
    rows: page.map((r) => ({ ...r, tags: tagsOf.get(r.id) ?? [] })) as ConversationRow[],
    nextCursor: hasMore && last ? `${last.lastActivityAt.getTime()}_${last.id}` : null,
  }
}

/** Counts for every tab, under the same scope and filters, in one query. */
export async function countTabs(prisma: Prisma, actor: Actor, scope: FolderScope, query: ListQuery): Promise<Record<Tab, number>> {
  const [row] = await prisma.$queryRaw<Record<Tab, bigint>[]>`
    SELECT count(*) FILTER (WHERE c.status = 'new') AS new,
           count(*) FILTER (WHERE c.status = 'open') AS open,
           count(*) FILTER (WHERE c.status = 'pending') AS pending,
           count(*) FILTER (WHERE c.status = 'closed') AS closed,
           count(*) AS all,
           count(*) FILTER (WHERE c."assigneeId" = ${actor.id} AND c.status <> 'closed') AS mine,
           count(*) FILTER (WHERE c."assigneeId" IS NULL AND c.status <> 'closed') AS unassigned
    FROM conversations c
    WHERE ${scopeSql(scope)} AND ${filterSql(query)} AND ${searchSql(query.q)}`
  return Object.fromEntries(TABS.map((t) => [t, Number(row?.[t] ?? 0)])) as Record<Tab, number>
}
