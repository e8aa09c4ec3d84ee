import { z } from 'zod'
import { Prisma as P } from '../../generated/prisma/client.ts'
import type { Tx } from '../../db/database.ts'
import { asAgent, type Actor } from '../actor.ts'
import type { DomainContext, QueryContext } from '../context.ts'
import { NotFoundError } from '../errors.ts'
import { recordEvents } from '../events/record.ts'
import { parseId } from '../input.ts'
import { conversationScopeWhere, scopeSql, type FolderScope } from '../policy.ts'
import { readPart, type Part } from '../readTogether.ts'
import { transaction } from '../transaction.ts'
import type { NotificationKind } from './preferences.ts'

/*
 * The notification centre: what the listener (src/reactions/notificationCentre.ts) wrote for an
 * agent. An agent sees only their own notifications, and only of conversations they may still
 * read: one about a conversation moved out of their folders is not shown, counted or opened.
 */

/** Beyond this the bell says "99+": counting further would read every old unread row. */
export const UNREAD_COUNT_CAP = 99

/** Unread notifications, up to the cap: one range of the (agentId, readAt, id) index. */
export async function countUnread(ctx: QueryContext, agent: Actor, scope: FolderScope): Promise<number> {
  return readPart(ctx.prisma, unreadCountPart(agent, scope))
}

/** The same, as a part of a page's one statement (src/domain/readTogether.ts). */
export function unreadCountPart(agent: Actor, scope: FolderScope): Part<number> {
  return {
    sql: P.sql`(SELECT count(*)::int FROM (
      SELECT 1 FROM notifications n JOIN conversations c ON c.id = n."conversationId"
      WHERE n."agentId" = ${agent.id} AND n."readAt" IS NULL AND ${scopeSql(P.sql`c."folderId"`, scope)}
      LIMIT ${UNREAD_COUNT_CAP + 1}) AS unread)`,
    read: (value) => Number(value ?? 0),
  }
}

export interface NotificationItem {
  id: number
  kind: NotificationKind
  read: boolean
  createdAt: Date
  actorName: string | null
  conversation: { number: number; subject: string }
}

export const PAGE_SIZE = 25

export const listSchema = z.object({
  /** The id of the last notification of the previous page (newest first). */
  before: z.coerce.number().int().positive().max(2_147_483_647).optional().catch(undefined),
})

/** Newest first, a page at a time (keyset on id); `more` says whether an older page exists. */
export async function listNotifications(
  ctx: QueryContext,
  agent: Actor,
  scope: FolderScope,
  options: { before?: number | undefined; limit?: number } = {},
): Promise<{ items: NotificationItem[]; more: boolean }> {
  const limit = options.limit ?? PAGE_SIZE
  const rows = await ctx.prisma.notification.findMany({
    where: { agentId: agent.id, ...(options.before ? { id: { lt: options.before } } : {}), conversation: conversationScopeWhere(scope) },
    orderBy: { id: 'desc' },
    take: limit + 1,
    select: { id: true, kind: true, readAt: true, createdAt: true, actorAgentId: true, conversation: { select: { number: true, subject: true } } },
  })
  const page = rows.slice(0, limit)
  const actorIds = [...new Set(page.map((r) => r.actorAgentId).filter((id): id is number => id !== null))]
  const actors = actorIds.length ? await ctx.prisma.agent.findMany({ where: { id: { in: actorIds } }, select: { id: true, name: true } }) : []
  const names = new Map(actors.map((a) => [a.id, a.name]))
  return {
    items: page.map((r) => ({
      id: r.id,
      kind: r.kind,
      read: r.readAt !== null,
      createdAt: r.createdAt,
      actorName: r.actorAgentId === null ? null : (names.get(r.actorAgentId) ?? null),
      conversation: r.conversation!,
    })),
    more: rows.length > limit,
  }
}

/** Where a notification leads, if it is the agent's and its conversation still visible to them (404 otherwise). */
export async function notificationTarget(ctx: QueryContext, agent: Actor, scope: FolderScope, notificationId: unknown): Promise<{ number: number }> {
  const id = parseId(notificationId)
  const row = await ctx.prisma.notification.findFirst({
    where: { id, agentId: agent.id, conversation: conversationScopeWhere(scope) },
    select: { conversation: { select: { number: true } } },
  })
  if (!row?.conversation) throw new NotFoundError()
  return row.conversation
}

async function markRead(ctx: DomainContext, tx: Tx, agent: Actor, where: P.NotificationWhereInput, data: Record<string, P.InputJsonValue>) {
  const now = ctx.clock()
  const { count } = await tx.notification.updateMany({ where: { ...where, agentId: agent.id, readAt: null }, data: { readAt: now } })
  if (count) await recordEvents(ctx, tx, [{ type: 'notification.read', actor: asAgent(agent), at: now, data: { ...data, count } }])
  return count
}

/** Marks one of the agent's notifications read; another agent's is "not found". */
export async function markNotificationRead(ctx: DomainContext, agent: Actor, input: { notificationId: unknown }): Promise<number> {
  const id = parseId(input.notificationId)
  return transaction(ctx, async (tx) => {
    const own = await tx.notification.findFirst({ where: { id, agentId: agent.id }, select: { id: true } })
    if (!own) throw new NotFoundError()
    return markRead(ctx, tx, agent, { id }, { notificationId: id })
  })
}

/** Marks every notification of the agent read. */
export async function markAllNotificationsRead(ctx: DomainContext, agent: Actor): Promise<number> {
  return transaction(ctx, (tx) => markRead(ctx, tx, agent, {}, { all: true }))
}

/** Opening a conversation reads what the agent was told of it. */
export async function markConversationNotificationsRead(ctx: DomainContext, agent: Actor, conversationId: number): Promise<number> {
  return transaction(ctx, (tx) => markRead(ctx, tx, agent, { conversationId }, { conversationId }))
}
