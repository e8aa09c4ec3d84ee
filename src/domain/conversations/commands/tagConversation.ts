import { transaction } from '../../transaction.ts'
import { z } from 'zod'
import type { Actor } from '../../actor.ts'
import { asAgent } from '../../actor.ts'
import type { DomainContext } from '../../context.ts'
import { fromZodError, NotFoundError } from '../../errors.ts'
import { lockConversation } from '../access.ts'
import { recordConversationEvent } from '../history.ts'

export const tagSchema = z.object({
  conversationId: z.number().int().positive(),
  tagId: z.number().int().positive(),
})

async function changeTag(ctx: DomainContext, agent: Actor, input: z.input<typeof tagSchema>, add: boolean) {
  const parsed = tagSchema.safeParse(input)
  if (!parsed.success) throw fromZodError(parsed.error)
  const { conversationId, tagId } = parsed.data
  const actor = asAgent(agent)
  const result = await transaction(ctx, async (tx) => {
    const now = ctx.clock()
    const conversation = await lockConversation(tx, actor, conversationId)
    const tag = await tx.tag.findUnique({ where: { id: tagId } })
    if (!tag) throw new NotFoundError('That tag does not exist')
    const key = { conversationId_tagId: { conversationId, tagId } }
    const has = (await tx.conversationTag.findUnique({ where: key })) !== null
    if (has === add) return { conversation, changed: false }
    if (add) await tx.conversationTag.create({ data: { conversationId, tagId, createdAt: now } })
    else await tx.conversationTag.delete({ where: key })
    await recordConversationEvent(ctx, tx, conversation, actor, add ? 'conversation.tagged' : 'conversation.untagged', now, { tagId, tag: tag.name })
    return { conversation, changed: true }
  })
  return result.changed
}

export const addTag = (ctx: DomainContext, agent: Actor, input: z.input<typeof tagSchema>) => changeTag(ctx, agent, input, true)
export const removeTag = (ctx: DomainContext, agent: Actor, input: z.input<typeof tagSchema>) => changeTag(ctx, agent, input, false)
