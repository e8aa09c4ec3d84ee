import { Prisma as P } from '../../generated/prisma/client.ts'
import type { Actor } from '../actor.ts'
import type { QueryContext } from '../context.ts'
import { htmlToText } from '../content/index.ts'
import { NotFoundError } from '../errors.ts'
import { parseId } from '../input.ts'
import { folderScope, withFolderIds } from '../policy.ts'
import { jsonValue, readPart, type Part } from '../readTogether.ts'
import { canManageSavedReplies, canSeeSavedReplies } from './savedReplyAccess.ts'

/** How much of a saved reply the picker and the list show before its name is enough. */
export const PREVIEW_LENGTH = 90

export interface SavedReplySummary {
  id: number
  name: string
  folderId: number | null
  /** null: shared with every folder. */
  folderName: string | null
  /** The start of its text, variables as typed. */
  preview: string
  useCount: number
  lastUsedAt: Date | null
  /** Whether this agent may edit and delete it. */
  canManage: boolean
}

const SUMMARY = { id: true, name: true, folderId: true, bodyHtml: true, useCount: true, lastUsedAt: true, folder: { select: { name: true } } } as const

export function previewOf(html: string): string {
  const text = htmlToText(html).replace(/\s+/g, ' ').trim()
  return text.length > PREVIEW_LENGTH ? `${text.slice(0, PREVIEW_LENGTH - 1).trimEnd()}…` : text
}

/**
 * The saved replies an agent may use: the shared ones and those of the folders they may read
 * (the policy's folder scope, in SQL), shared first then by folder and name.
 */
export async function listSavedReplies(ctx: QueryContext, agent: Actor): Promise<SavedReplySummary[]> {
  const actor = await withFolderIds(ctx.prisma, agent)
  const scope = await folderScope(ctx.prisma, actor)
  const rows = await ctx.prisma.savedReply.findMany({
    where: scope === null ? {} : { OR: [{ folderId: null }, { folderId: { in: scope } }] },
    orderBy: [{ folderId: { sort: 'asc', nulls: 'first' } }, { name: 'asc' }],
    select: SUMMARY,
  })
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    folderId: r.folderId,
    folderName: r.folder?.name ?? null,
    preview: previewOf(r.bodyHtml),
    useCount: r.useCount,
    lastUsedAt: r.lastUsedAt,
    canManage: canManageSavedReplies(actor, r.folderId),
  }))
}

/**
 * Those usable on a conversation of a folder: the shared ones and the folder's own, by name.
 * The caller has made sure the agent may see the conversation.
 */
export async function savedRepliesForFolder(ctx: QueryContext, agent: Actor, folderId: number): Promise<{ id: number; name: string; preview: string }[]> {
  const actor = await withFolderIds(ctx.prisma, agent)
  if (!canSeeSavedReplies(actor, folderId)) return []
  return savedRepliesOfFolder(ctx, folderId)
}

/** The shared replies and the folder's, for a caller that has already checked the agent may read the folder. */
export async function savedRepliesOfFolder(ctx: QueryContext, folderId: number): Promise<{ id: number; name: string; preview: string }[]> {
  return readPart(ctx.prisma, savedRepliesOfFolderPart(folderId))
}

/** The same, as a part of a page's one statement (src/domain/readTogether.ts). */
export function savedRepliesOfFolderPart(folderId: number): Part<{ id: number; name: string; preview: string }[]> {
  return {
    sql: P.sql`(SELECT COALESCE(json_agg(json_build_object('id', s.id, 'name', s.name, 'bodyHtml', s."bodyHtml") ORDER BY s.name, s.id), '[]'::json)
                FROM saved_replies s WHERE s."folderId" IS NULL OR s."folderId" = ${folderId})`,
    read: (value) =>
      jsonValue<{ id: number; name: string; bodyHtml: string }[]>(value).map((r) => ({ id: r.id, name: r.name, preview: previewOf(r.bodyHtml) })),
  }
}

/** One saved reply for its edit form; NotFoundError unless the agent may manage it. */
export async function findManageableSavedReply(ctx: QueryContext, agent: Actor, input: { savedReplyId: unknown }) {
  const id = parseId(input.savedReplyId, 'error.savedReplyNotFound')
  const actor = await withFolderIds(ctx.prisma, agent)
  const reply = await ctx.prisma.savedReply.findUnique({ where: { id }, select: { id: true, name: true, folderId: true, bodyHtml: true } })
  if (!reply || !canSeeSavedReplies(actor, reply.folderId)) throw new NotFoundError('error.savedReplyNotFound')
  return { ...reply, canManage: canManageSavedReplies(actor, reply.folderId) }
}

/**
 * Where the agent may file a saved reply: "all folders" (shared) for admins, and each folder
 * they may act in.
 */
export async function savedReplyScopes(ctx: QueryContext, agent: Actor): Promise<{ shared: boolean; folders: { id: number; name: string }[] }> {
  const actor = await withFolderIds(ctx.prisma, agent)
  const scope = await folderScope(ctx.prisma, actor)
  const folders = await ctx.prisma.folder.findMany({
    where: scope === null ? {} : { id: { in: scope } },
    orderBy: [{ position: 'asc' }, { name: 'asc' }],
    select: { id: true, name: true },
  })
  return { shared: canManageSavedReplies(actor, null), folders: folders.filter((f) => canManageSavedReplies(actor, f.id)) }
}
