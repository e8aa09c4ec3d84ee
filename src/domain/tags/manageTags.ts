import { z } from 'zod'
import type { Tx } from '../../db/database.ts'
import type { Prisma as P } from '../../generated/prisma/client.ts'
import type { Actor } from '../actor.ts'
import type { DomainContext } from '../context.ts'
import { ConflictError, NotFoundError, fromZodError } from '../errors.ts'
import { FieldConflictError } from '../folders/manageFolders.ts'
import { createTag, TAG_COLOURS } from './createTag.ts'
import { assertAdmin } from '../policy.ts'

export { createTag, TAG_COLOURS } from './createTag.ts'

export type TagContext = Pick<DomainContext, 'prisma' | 'clock'> & Partial<Pick<DomainContext, 'events'>>

/** Tags removed from conversations per statement when a tag is deleted; all in the one transaction. */
export const UNTAG_BATCH_SIZE = 500
const MAX_LIVE_EVENTS = 100

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
  assertAdmin(admin)
  const parsed = tagUpdateInput.safeParse({ name: input.name ?? '', colour: input.colour === undefined || input.colour === '' ? 'slate' : input.colour })
  if (!parsed.success) throw fromZodError(parsed.error)
  try {
    return await createTag(ctx.prisma, admin, parsed.data)
  } catch (err) {
    if (err instanceof ConflictError) throw new FieldConflictError(err.message, 'name')
    throw err
  }
}

/** Renames a tag and/or changes its colour (the fields given); the change is audited. */
export async function updateTag(ctx: TagContext, admin: Actor, rawTagId: unknown, input: { name?: string; colour?: string }) {
  assertAdmin(admin)
  const target = tagId(rawTagId)
  const parsed = tagUpdateInput.partial().safeParse(input)
  if (!parsed.success) throw fromZodError(parsed.error)
  try {
    return await ctx.prisma.$transaction(async (tx) => {
      const before = await lockTag(tx, target)
      const next = { name: parsed.data.name ?? before.name, colour: parsed.data.colour ?? before.colour }
      if (next.name !== before.name) {
        const clash = await tx.tag.findFirst({ where: { name: { equals: next.name, mode: 'insensitive' }, id: { not: target } }, select: { id: true } })
        if (clash) throw new FieldConflictError(`A tag named “${next.name}” already exists`, 'name')
      }
      const changes: Record<string, P.InputJsonValue> = {}
      if (next.name !== before.name) changes.name = { from: before.name, to: next.name }
      if (next.colour !== before.colour) changes.colour = { from: before.colour, to: next.colour }
      if (Object.keys(changes).length === 0) return before
      const tag = await tx.tag.update({ where: { id: target }, data: next })
      await tx.auditEvent.create({ data: { actorAgentId: admin.id, action: 'tag.updated', targetType: 'tag', targetId: String(target), data: { name: tag.name, ...changes }, createdAt: ctx.clock() } })
      return tag
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
  assertAdmin(admin)
  const target = tagId(rawTagId)
  const touched: { conversationId: number; folderId: number }[] = []
  const result = await ctx.prisma.$transaction(
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
        await tx.historyEvent.createMany({
          data: ids.map((conversationId) => ({ conversationId, actorKind: 'agent' as const, actorAgentId: admin.id, type: 'untagged', data, createdAt: now })),
        })
        removed += ids.length
        for (const b of batch) if (touched.length < MAX_LIVE_EVENTS) touched.push({ conversationId: b.conversationId, folderId: b.conversation.folderId })
      }
      await tx.tag.delete({ where: { id: target } })
      await tx.auditEvent.create({
        data: { actorAgentId: admin.id, action: 'tag.deleted', targetType: 'tag', targetId: String(target), data: { name: tag.name, colour: tag.colour, conversations: removed }, createdAt: now },
      })
      return { name: tag.name, conversations: removed }
    },
    { timeout: 10 * 60_000, maxWait: 10_000 },
  )
  for (const t of touched) ctx.events?.publish({ type: 'conversation.updated', conversationId: t.conversationId, folderId: t.folderId })
  return result
}

/** Tags by name with how many conversations carry each, for the admin page. */
export async function listTagsForAdmin(prisma: DomainContext['prisma']) {
  return prisma.tag.findMany({ orderBy: { name: 'asc' }, select: { id: true, name: true, colour: true, _count: { select: { conversations: true } } } })
}
