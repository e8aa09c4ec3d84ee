import { transaction } from '../transaction.ts'
import { recordEvents } from '../events/record.ts'
import { asAgent } from '../actor.ts'
import { recordAdminEvent } from '../events/record.ts'
import { z } from 'zod'
import type { Tx } from '../../db/database.ts'
import type { Prisma as P } from '../../generated/prisma/client.ts'
import type { Actor } from '../actor.ts'
import type { DomainContext } from '../context.ts'
import { ConflictError, NotFoundError, fromZodError } from '../errors.ts'
import { FieldConflictError } from '../folders/manageFolders.ts'
import { createTag, TAG_COLOURS } from './createTag.ts'
import { authorize, INSTANCE } from '../policy.ts'

export { createTag, TAG_COLOURS } from './createTag.ts'

export type TagContext = DomainContext

/** Tags removed from conversations per statement when a tag is deleted; all in the one transaction. */
export const UNTAG_BATCH_SIZE = 500

const id = z.coerce.number().int().positive().max(2_147_483_647)

/** Unlike createTag's lenient parsing, the admin pages refuse a colour that is not in the palette. */
export const tagColour = z.enum(TAG_COLOURS, { error: 'Choose a colour from the list' })

export const tagUpdateInput = z.object({
  name: z.string().trim().min(1, 'Enter a name').max(50, 'Use at most 50 characters'),
  colour: tagColour,
})

function tagId(value: unknown): number {
  const parsed = id.safeParse(value)
  if (!parsed.success) throw new NotFoundError('That tag does not exist')
  return parsed.data
}

async function lockTag(tx: Tx, target: number) {
  const rows = await tx.$queryRaw<{ id: number }[]>`SELECT id FROM tags WHERE id = ${target} FOR UPDATE`
  if (rows.length === 0) throw new NotFoundError('That tag does not exist')
  return tx.tag.findUniqueOrThrow({ where: { id: target } })
}

/** createTag with the palette enforced: an unknown colour is an error, not silently slate. */
export async function createTagStrict(ctx: Pick<DomainContext, 'prisma'>, admin: Actor, input: { name?: unknown; colour?: unknown }) {
  authorize(admin, 'administer', INSTANCE)
  const parsed = tagUpdateInput.safeParse({ name: input.name ?? '', colour: input.colour === undefined || input.colour === '' ? 'slate' : input.colour })
  if (!parsed.success) throw fromZodError(parsed.error)
  try {
    return await createTag(ctx.prisma, admin, parsed.data)
  } catch (err) {
    if (err instanceof ConflictError) throw new FieldConflictError(err.message, 'name')
    throw err
  }
}

/** Renames a tag and/or changes its colour (the fields given); the change is audited. The name it had comes back too. */
export async function updateTag(ctx: TagContext, admin: Actor, rawTagId: unknown, input: { name?: string; colour?: string }) {
  authorize(admin, 'administer', INSTANCE)
  const target = tagId(rawTagId)
  const parsed = tagUpdateInput.partial().safeParse(input)
  if (!parsed.success) throw fromZodError(parsed.error)
  try {
    return await transaction(ctx, async (tx) => {
      const before = await lockTag(tx, target)
      const next = { name: parsed.data.name ?? before.name, colour: parsed.data.colour ?? before.colour }
      if (next.name !== before.name) {
        const clash = await tx.tag.findFirst({ where: { name: { equals: next.name, mode: 'insensitive' }, id: { not: target } }, select: { id: true } })
        if (clash) throw new FieldConflictError(`A tag named “${next.name}” already exists`, 'name')
      }
      const changes: Record<string, P.InputJsonValue> = {}
      if (next.name !== before.name) changes.name = { from: before.name, to: next.name }
      if (next.colour !== before.colour) changes.colour = { from: before.colour, to: next.colour }
      if (Object.keys(changes).length === 0) return { ...before, previousName: before.name }
      const tag = await tx.tag.update({ where: { id: target }, data: next })
      await recordAdminEvent(tx, { type: 'tag.updated', agentId: admin.id, at: ctx.clock(), target: { type: 'tag', id: String(target) }, data: { name: tag.name, ...changes } })
      return { ...tag, previousName: before.name }
    })
  } catch (err) {
    if (typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'P2002') throw new FieldConflictError('Another tag already has this name', 'name')
    throw err
  }
}

export function renameTag(ctx: TagContext, admin: Actor, rawTagId: unknown, name: string) {
  return updateTag(ctx, admin, rawTagId, { name })
}

/**
 * Deletes a tag: it is taken off every conversation first (in batches), each removal written to
 * that conversation's history as an 'untagged' event by the admin, then the tag and an audit
 * entry, all in one transaction. Returns how many conversations lost the tag.
 */
export async function deleteTag(ctx: TagContext, admin: Actor, rawTagId: unknown): Promise<{ name: string; conversations: number }> {
  authorize(admin, 'administer', INSTANCE)
  const target = tagId(rawTagId)
  const result = await transaction(ctx, 
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
          batch.map((b) => ({ type: 'conversation.untagged' as const, actor, at: now, conversation: { id: b.conversationId, folderId: b.conversation.folderId }, data })),
        )
        removed += ids.length
      }
      await tx.tag.delete({ where: { id: target } })
      await recordAdminEvent(tx, { type: 'tag.deleted', agentId: admin.id, at: now, target: { type: 'tag', id: String(target) }, data: { name: tag.name, colour: tag.colour, conversations: removed } })
      return { name: tag.name, conversations: removed }
    },
    { timeout: 10 * 60_000, maxWait: 10_000 },
  )
  return result
}

/** Tags by name with how many conversations carry each, for the admin page. */
export async function listTagsForAdmin(prisma: DomainContext['prisma'], admin: Actor) {
  authorize(admin, 'administer', INSTANCE)
  return prisma.tag.findMany({ orderBy: { name: 'asc' }, select: { id: true, name: true, colour: true, _count: { select: { conversations: true } } } })
}
