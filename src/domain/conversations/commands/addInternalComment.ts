import { transaction } from '../../transaction.ts'
import { z } from 'zod'
import type { Actor } from '../../actor.ts'
import { asAgent } from '../../actor.ts'
import type { DomainContext } from '../../context.ts'
import { fromZodError, ValidationError } from '../../errors.ts'
import { loadSettings } from '../../settings/settings.ts'
import { lockConversation } from '../access.ts'
import { appendMessage } from '../appendMessage.ts'
import { recordConversationEvent } from '../history.ts'
import { assertFileSizes, hasContent, prepareBody, type UploadedFile } from '../messageBody.ts'

export const commentSchema = z.object({
  conversationId: z.number().int().positive(),
  html: z.string().max(40_000_000).optional(),
  text: z.string().max(1_000_000).optional(),
})
export type CommentInput = z.input<typeof commentSchema> & { files?: UploadedFile[] }

/** A note for the team: never e-mailed, never shown to the customer, never changes the status. */
export async function addInternalComment(ctx: DomainContext, agent: Actor, input: CommentInput) {
  const parsed = commentSchema.safeParse(input)
  if (!parsed.success) throw fromZodError(parsed.error)
  const files = input.files ?? []
  const settings = await loadSettings(ctx.prisma)
  assertFileSizes(files, settings.attachmentMaxBytes)
  const body = await prepareBody({ html: parsed.data.html, text: parsed.data.text }, settings.attachmentMaxBytes)
  if (!hasContent(body) && files.length === 0) throw new ValidationError('Write a comment first', { body: 'Write a comment first.' })
  const actor = asAgent(agent)
  const result = await transaction(ctx, async (tx) => {
    const now = ctx.clock()
    const conversation = await lockConversation(tx, actor, parsed.data.conversationId)
    const appended = await appendMessage(ctx, tx, { conversation, actor, kind: 'internal', body, files, at: now, authorAgentId: agent.id })
    await recordConversationEvent(ctx, tx, conversation, actor, 'comment.added', now, { messageId: appended.message.id, messageCount: appended.conversation.messageCount })
    return appended
  })
  return result
}
