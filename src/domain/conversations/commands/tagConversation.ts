import { z } from 'zod'
import { asAgent, type Actor } from '../../actor.ts'
import type { DomainContext } from '../../context.ts'
import { NotFoundError, parseInput } from '../../errors.ts'
import { changeConversation } from '../changeConversation.ts'

export const tagSchema = z.object({
  conversationId: z.number().int().positive(),
  tagId: z.number().int().positive(),
})

/** Puts a tag on or takes it off; whether anything changed. */
async function changeTag(ctx: DomainContext, agent: Actor, input: z.input<typeof tagSchema>, add: boolean): Promise<boolean> {
  const { conversationId, tagId } = parseInput(tagSchema, input)
  return changeConversation(ctx, asAgent(agent), conversationId, async ({ tx, now, record }) => {
    const tag = await tx.tag.findUnique({ where: { id: tagId } })
    if (!tag) throw new NotFoundError('error.tagNotFound')
    const key = { conversationId_tagId: { conversationId, tagId } }
    const has = (await tx.conversationTag.findUnique({ where: key })) !== null
    if (has === add) return false
    if (add) await tx.conversationTag.create({ data: { conversationId, tagId, createdAt: now } })
    else await tx.conversationTag.delete({ where: key })
    await record(add ? 'conversation.tagged' : 'conversation.untagged', { tagId, tag: tag.name })
    return true
  })
}

export const addTag = (ctx: DomainContext, agent: Actor, input: z.input<typeof tagSchema>) => changeTag(ctx, agent, input, true)
export const removeTag = (ctx: DomainContext, agent: Actor, input: z.input<typeof tagSchema>) => changeTag(ctx, agent, input, false)
