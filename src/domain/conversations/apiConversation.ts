import type { Prisma } from '../../db/database.ts'
import { Prisma as P } from '../../generated/prisma/client.ts'
import type { Conversation } from '../../generated/prisma/client.ts'
import type { Actor } from '../actor.ts'
import { NotFoundError } from '../errors.ts'
import { conversationScopeWhere, folderScope, scopeSql } from '../policy.ts'
import { conversationVersion } from './version.ts'

/**
 * Conversations, messages and attachments as the API shows them, each read in one statement (names,
 * tags and files as JSON sub-selects) and always within the agent's folders: a conversation outside
 * them does not exist for the caller.
 */

type Named = { id: number; name: string }
type CustomerRef = { id: number; name: string; email: string }
type TagRef = { id: number; name: string; colour: string }

/** What lists and pages show of a conversation besides its own columns. */
const NAMES = P.sql`
  (SELECT json_build_object('id', cu.id, 'name', cu.name, 'email', cu.email) FROM customers cu WHERE cu.id = c."customerId") AS customer,
  (SELECT json_build_object('id', a.id, 'name', a.name) FROM agents a WHERE a.id = c."assigneeId") AS assignee,
  (SELECT json_build_object('id', f.id, 'name', f.name) FROM folders f WHERE f.id = c."folderId") AS folder,
  COALESCE((SELECT json_agg(json_build_object('id', t.id, 'name', t.name, 'colour', t.colour) ORDER BY t.name, t.id)
            FROM conversation_tags ct JOIN tags t ON t.id = ct."tagId" WHERE ct."conversationId" = c.id), '[]'::json) AS tags`

export interface ApiConversationView {
  conversation: Conversation
  customer: CustomerRef
  assignee: Named | null
  folder: Named
  tags: TagRef[]
  mergedIntoNumber: number | null
  /** The version the ETag carries. */
  version: string
}

/** A conversation by its number with what the API shows of it; NotFoundError outside the agent's folders. */
export async function readApiConversation(prisma: Prisma, agent: Actor, number: number): Promise<ApiConversationView> {
  const conversation = await visibleConversationByNumber(prisma, agent, number)
  const [[names], version] = await Promise.all([
    prisma.$queryRaw<{ customer: CustomerRef; assignee: Named | null; folder: Named; tags: TagRef[]; mergedIntoNumber: number | null }[]>`
      SELECT ${NAMES}, (SELECT m.number FROM conversations m WHERE m.id = c."mergedIntoId") AS "mergedIntoNumber"
      FROM conversations c WHERE c.id = ${conversation.id}`,
    conversationVersion(prisma, conversation),
  ])
  if (!names) throw new NotFoundError()
  return { conversation, ...names, version }
}

/** A conversation the agent may see, by its public number; NotFoundError otherwise. */
export async function visibleConversationByNumber(prisma: Prisma, agent: Actor, number: number): Promise<Conversation> {
  const scope = await folderScope(prisma, agent)
  const conversation = await prisma.conversation.findFirst({ where: { number, ...conversationScopeWhere(scope) } })
  if (!conversation) throw new NotFoundError()
  return conversation
}

export interface CustomerListFilter {
  customerId: number
  status: 'new' | 'open' | 'pending' | 'closed' | 'all' | 'snoozed'
  folder?: number | undefined
  assignee?: number | 'none' | undefined
  tag?: number | undefined
  after?: { lastActivityAt: Date; id: number } | undefined
  limit: number
}

/**
 * One customer's conversations (the dashboard's list has no such filter), with the dashboard's
 * status and snooze rules, latest activity first, by keyset. A customer has few conversations:
 * the customerId index finds them.
 */
export async function listCustomerConversations(prisma: Prisma, agent: Actor, f: CustomerListFilter) {
  const scope = await folderScope(prisma, agent)
  const parts = [P.sql`c."customerId" = ${f.customerId}`, scopeSql(P.sql`c."folderId"`, scope)]
  if (f.status === 'snoozed') parts.push(P.sql`c."snoozedAt" IS NOT NULL`)
  else if (f.status === 'closed') parts.push(P.sql`c.status = 'closed'`)
  else {
    parts.push(P.sql`c."snoozedAt" IS NULL`)
    if (f.status !== 'all') parts.push(P.sql`c.status = ${f.status}::"ConversationStatus"`)
  }
  if (f.folder) parts.push(P.sql`c."folderId" = ${f.folder}`)
  if (f.assignee === 'none') parts.push(P.sql`c."assigneeId" IS NULL`)
  else if (f.assignee) parts.push(P.sql`c."assigneeId" = ${f.assignee}`)
  if (f.tag) parts.push(P.sql`EXISTS (SELECT 1 FROM conversation_tags ct WHERE ct."conversationId" = c.id AND ct."tagId" = ${f.tag})`)
  if (f.after) parts.push(P.sql`(c."lastActivityAt", c.id) < (${f.after.lastActivityAt}::timestamptz, ${f.after.id})`)
  const rows = await prisma.$queryRaw<{ id: number; lastActivityAt: Date }[]>`
    SELECT c.id, c."lastActivityAt" FROM conversations c WHERE ${P.join(parts, ' AND ')}
    ORDER BY c."lastActivityAt" DESC, c.id DESC LIMIT ${f.limit + 1}`
  return { ids: rows.slice(0, f.limit).map((r) => r.id), more: rows.length > f.limit, last: rows[Math.min(rows.length, f.limit) - 1] ?? null }
}

/** The ids among `ids` of tags that do not exist (a tag belongs to the whole help desk). */
export async function missingTagIds(prisma: Prisma, ids: number[]): Promise<number[]> {
  if (!ids.length) return []
  const found = new Set((await prisma.tag.findMany({ where: { id: { in: ids } }, select: { id: true } })).map((t) => t.id))
  return ids.filter((id) => !found.has(id))
}

export interface ConversationSummaryView {
  id: number
  number: number
  subject: string
  status: Conversation['status']
  snippet: string
  lastActivityAt: Date
  createdAt: Date
  snoozedAt: Date | null
  snoozedUntil: Date | null
  customer: CustomerRef
  assignee: Named | null
  folder: Named
  tags: TagRef[]
}

/**
 * List rows of conversations by id, in the order of `ids`, with their names and tags: one
 * statement. The ids come from a list that applied the agent's folders; they are applied again.
 */
export async function conversationSummaries(prisma: Prisma, agent: Actor, ids: number[]): Promise<ConversationSummaryView[]> {
  if (!ids.length) return []
  const scope = await folderScope(prisma, agent)
  const rows = await prisma.$queryRaw<ConversationSummaryView[]>`
    SELECT c.id, c.number, c.subject, c.status::text AS status, c.snippet, c."lastActivityAt", c."createdAt", c."snoozedAt", c."snoozedUntil", ${NAMES}
    FROM conversations c WHERE c.id = ANY(${ids}::int[]) AND ${scopeSql(P.sql`c."folderId"`, scope)}`
  const byId = new Map(rows.map((r) => [r.id, r]))
  return ids.flatMap((id) => byId.get(id) ?? [])
}

export interface ApiMessageView {
  id: number
  conversationId: number
  kind: 'customer' | 'agent' | 'internal' | 'system'
  authorAgent: Named | null
  customer: CustomerRef | null
  bodyHtml: string
  bodyText: string
  cc: string[]
  bcc: string[]
  isAutoReply: boolean
  createdAt: Date
  attachments: { id: number; fileName: string; mimeType: string; size: number; inline: boolean; createdAt: Date }[]
}

type MessageRow = Omit<ApiMessageView, 'attachments'> & { attachments: (Omit<ApiMessageView['attachments'][number], 'createdAt'> & { createdAt: string })[] }

/** Messages with their author's name and their files, in the thread's order. */
async function selectMessages(prisma: Prisma, where: P.Sql, limit: number): Promise<ApiMessageView[]> {
  const rows = await prisma.$queryRaw<MessageRow[]>`
    SELECT m.id, m."conversationId", m.kind::text AS kind, m."bodyHtml", m."bodyText", m.cc, m.bcc, m."isAutoReply", m."createdAt",
      (SELECT json_build_object('id', a.id, 'name', a.name) FROM agents a WHERE a.id = m."authorAgentId") AS "authorAgent",
      (SELECT json_build_object('id', cu.id, 'name', cu.name, 'email', cu.email) FROM customers cu WHERE cu.id = m."customerId") AS customer,
      COALESCE((SELECT json_agg(json_build_object('id', x.id, 'fileName', x."fileName", 'mimeType', x."mimeType", 'size', x.size,
                  'inline', x.inline, 'createdAt', x."createdAt") ORDER BY x.id)
                FROM attachments x WHERE x."messageId" = m.id), '[]'::json) AS attachments
    FROM messages m WHERE ${where}
    ORDER BY m."createdAt", m.id LIMIT ${limit}`
  return rows.map((m) => ({ ...m, attachments: m.attachments.map((a) => ({ ...a, createdAt: new Date(a.createdAt) })) }))
}

/** Where a page of a thread ends: its last message's time and id (the thread's order). */
export interface ThreadPosition {
  createdAt: Date
  id: number
}

/** A page of a visible conversation's thread in its order (oldest first), comments included, after a position. */
export async function listApiMessages(prisma: Prisma, agent: Actor, number: number, page: { after?: ThreadPosition | undefined; limit: number }) {
  const conversation = await visibleConversationByNumber(prisma, agent, number)
  const after = page.after ? P.sql`(m."createdAt", m.id) > (${page.after.createdAt}::timestamptz, ${page.after.id})` : P.sql`TRUE`
  const rows = await selectMessages(prisma, P.sql`m."conversationId" = ${conversation.id} AND ${after}`, page.limit + 1)
  const items = rows.slice(0, page.limit)
  const last = items.at(-1)
  return { items, next: rows.length > page.limit && last ? { createdAt: last.createdAt, id: last.id } : null }
}

/** One message of a conversation the agent may see; NotFoundError otherwise. */
export async function findApiMessage(prisma: Prisma, agent: Actor, messageId: number): Promise<ApiMessageView> {
  const scope = await folderScope(prisma, agent)
  const visible = P.sql`EXISTS (SELECT 1 FROM conversations c WHERE c.id = m."conversationId" AND ${scopeSql(P.sql`c."folderId"`, scope)})`
  const [message] = await selectMessages(prisma, P.sql`m.id = ${messageId} AND ${visible}`, 1)
  if (!message) throw new NotFoundError()
  return message
}
