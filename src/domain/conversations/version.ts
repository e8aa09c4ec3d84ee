import { createHash } from 'node:crypto'
import type { Prisma, Tx } from '../../db/database.ts'
import type { Conversation } from '../../generated/prisma/client.ts'
import type { DomainContext } from '../context.ts'
import { PreconditionFailedError } from '../errors.ts'

/**
 * A conversation's version, as the API's ETag: it changes with every field a client may change or
 * read as the conversation's state (status, folder, assignee, tags, snooze, copies, thread).
 */
export async function conversationVersion(db: Prisma | Tx, c: Conversation): Promise<string> {
  const tags = await db.conversationTag.findMany({ where: { conversationId: c.id }, select: { tagId: true }, orderBy: { tagId: 'asc' } })
  const state = [
    c.updatedAt.toISOString(),
    c.status,
    c.folderId,
    c.assigneeId,
    c.snoozedUntil?.toISOString() ?? null,
    c.cc,
    c.bcc,
    c.messageCount,
    c.mergedIntoId,
    tags.map((t) => t.tagId),
  ]
  return createHash('sha256').update(JSON.stringify(state)).digest('base64url').slice(0, 27)
}

/** The version as an HTTP entity tag (strong). */
export const entityTag = (version: string) => `"${version}"`

/** Whether an If-Match header names this version (`*` names any; weak tags never match). */
export function ifMatchAccepts(ifMatch: string, version: string): boolean {
  const tags = ifMatch.split(',').map((t) => t.trim())
  return tags.includes('*') || tags.includes(entityTag(version))
}

/**
 * The domain context for a change asked on a version read earlier: the conversation command
 * refuses it, under the row lock, when the version is no longer the current one.
 */
export function onVersion(ctx: DomainContext, ifMatch: string | null): DomainContext {
  if (ifMatch === null) return ctx
  return {
    ...ctx,
    async precondition(tx, conversation) {
      if (!ifMatchAccepts(ifMatch, await conversationVersion(tx, conversation))) throw new PreconditionFailedError()
    },
  }
}
