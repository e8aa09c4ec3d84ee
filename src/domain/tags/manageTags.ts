import { z } from 'zod'
import { schemaMessage } from '../../i18n/issueMessages.ts'
import type { Tx } from '../../db/database.ts'
import type { Prisma as P } from '../../generated/prisma/client.ts'
import { asAgent, type Actor } from '../actor.ts'
import type { DomainContext, QueryContext } from '../context.ts'
import { ConflictError, NotFoundError, parseInput } from '../errors.ts'
import { recordAdminEvent, recordEvents } from '../events/record.ts'
import { FieldConflictError } from '../folders/manageFolders.ts'
import { parseId } from '../input.ts'
import { authorize, INSTANCE } from '../policy.ts'
import { transaction } from '../transaction.ts'
import { createTag, TAG_COLOURS } from './createTag.ts'

export { createTag, TAG_COLOURS } from './createTag.ts'

/** Tags removed from conversations per statement when a tag is deleted; all in the one transaction. */
export const UNTAG_BATCH_SIZE = 500

/** Unlike createTag's lenient parsing, the admin pages refuse a colour that is not in the palette. */
export const tagColour = z.enum(TAG_COLOURS, { error: 'validation.chooseColour' })

export const tagUpdateInput = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'validation.enterName')
    .max(50, schemaMessage('validation.useAtMost', { max: 50 })),
  colour: tagColour,
})

/** The tag a command acts on (any form of id; a malformed one is a tag that does not exist). */
export type TagRef = { tagId: unknown }

const tagId = (input: TagRef) => parseId(input.tagId, 'error.tagNotFound')

async function lockTag(tx: Tx, target: number) {
  const rows = await tx.$queryRaw<{ id: number }[]>`SELECT id FROM tags WHERE id = ${target} FOR UPDATE`
  if (rows.length === 0) throw new NotFoundError('error.tagNotFound')
  return tx.tag.findUniqueOrThrow({ where: { id: target } })
}

/** createTag with the palette enforced: an unknown colour is an error, not silently slate. */
export async function createTagStrict(ctx: DomainContext, admin: Actor, input: { name?: unknown; colour?: unknown }) {
  authorize(admin, 'administer', INSTANCE)
  const data = parseInput(tagUpdateInput, { name: input.name ?? '', colour: input.colour === undefined || input.colour === '' ? 'slate' : input.colour })
  try {
    return await createTag(ctx, admin, data)
  } catch (err) {
    if (err instanceof ConflictError) throw new FieldConflictError(err.key, 'name', err.values)
    throw err
  }
}

/** Renames a tag and/or changes its colour (the fields given); the change is audited. The name it had comes back too. */
export async function updateTag(ctx: DomainContext, admin: Actor, input: TagRef & { name?: string; colour?: string }) {
  authorize(admin, 'administer', INSTANCE)
  const target = tagId(input)
  const wanted = parseInput(tagUpdateInput.partial(), input)
  try {
    return await transaction(ctx, async (tx) => {
      const before = await lockTag(tx, target)
      const next = { name: wanted.name ?? before.name, colour: wanted.colour ?? before.colour }
      if (next.name !== before.name) {
        const clash = await tx.tag.findFirst({ where: { name: { equals: next.name, mode: 'insensitive' }, id: { not: target } }, select: { id: true } })
        if (clash) throw new FieldConflictError('error.tagNameTaken', 'name', { name: next.name })
      }
      const changes: Record<string, P.InputJsonValue> = {}
      if (next.name !== before.name) changes.name = { from: before.name, to: next.name }
      if (next.colour !== before.colour) changes.colour = { from: before.colour, to: next.colour }
      if (Object.keys(changes).length === 0) return { ...before, previousName: before.name }
      const tag = await tx.tag.update({ where: { id: target }, data: next })
      await recordAdminEvent(tx, {
        type: 'tag.updated',
        agentId: admin.id,
        at: ctx.clock(),
        target: { type: 'tag', id: String(target) },
        data: { name: tag.name, ...changes },
      })
      return { ...tag, previousName: before.name }
    })
  } catch (err) {
    if (typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'P2002') throw new FieldConflictError('error.tagClash', 'name')
    throw err
  }
}

export async function renameTag(ctx: DomainContext, admin: Actor, input: TagRef & { name: string }) {
  return updateTag(ctx, admin, { tagId: input.tagId, name: input.name })
}

/**
 * Deletes a tag: it is taken off every conversation first (in batches), each removal written to
 * that conversation's history as an 'untagged' event by the admin, then the tag and an audit
 * entry, all in one transaction. Returns how many conversations lost the tag.
 */
export async function deleteTag(ctx: DomainContext, admin: Actor, input: TagRef): Promise<{ name: string; conversations: number }> {
  authorize(admin, 'administer', INSTANCE)
  const target = tagId(input)
  const result = await transaction(
    ctx,
    async (tx) => {
      const now = ctx.clock()
      // Locked: nobody can put this tag on a conversation until the deletion commits.
      const tag = await lockTag(tx, target)
      const data = { tagId: target, tag: tag.name, reason: 'tag deleted' } satisfies P.InputJsonObject
      let removed = 0
      for (;;) {
        const batch = await tx.conversationTag.findMany({
          where: { tagId: target },
          orderBy: { conversationId: 'asc' },
          take: UNTAG_BATCH_SIZE,
          select: { conversationId: true, conversation: { select: { folderId: true } } },
        })
        if (batch.length === 0) break
        const ids = batch.map((b) => b.conversationId)
        await tx.conversationTag.deleteMany({ where: { tagId: target, conversationId: { in: ids } } })
        const actor = asAgent(admin)
        await recordEvents(
          ctx,
          tx,
          batch.map((b) => ({
            type: 'conversation.untagged' as const,
            actor,
            at: now,
            conversation: { id: b.conversationId, folderId: b.conversation.folderId },
            data,
          })),
        )
        removed += ids.length
      }
      await tx.tag.delete({ where: { id: target } })
      await recordAdminEvent(tx, {
        type: 'tag.deleted',
        agentId: admin.id,
        at: now,
        target: { type: 'tag', id: String(target) },
        data: { name: tag.name, colour: tag.colour, conversations: removed },
      })
      return { name: tag.name, conversations: removed }
    },
    { timeout: 10 * 60_000, maxWait: 10_000 },
  )
  return result
}

/** Tags by name with how many conversations carry each, for the admin page. */
export async function listTagsForAdmin(ctx: QueryContext, admin: Actor) {
  authorize(admin, 'administer', INSTANCE)
  return ctx.prisma.tag.findMany({ orderBy: { name: 'asc' }, select: { id: true, name: true, colour: true, _count: { select: { conversations: true } } } })
}
