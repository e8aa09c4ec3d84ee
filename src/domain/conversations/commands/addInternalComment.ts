import { z } from 'zod'
import { asAgent, type Actor } from '../../actor.ts'
import type { DomainContext } from '../../context.ts'
import { parseInput } from '../../errors.ts'
import { appendMessage } from '../appendMessage.ts'
import { changeConversation } from '../changeConversation.ts'
import { readMessage, type UploadedFile } from '../messageBody.ts'
import { findMentions } from '../../notifications/mentions.ts'

export const commentSchema = z.object({
  conversationId: z.number().int().positive(),
  html: z.string().max(40_000_000).optional(),
  text: z.string().max(1_000_000).optional(),
})
export type CommentInput = z.input<typeof commentSchema> & { files?: UploadedFile[] }

/** A note for the team: never e-mailed, never shown to the customer, never changes the status. */
export async function addInternalComment(ctx: DomainContext, agent: Actor, input: CommentInput) {
  const p = parseInput(commentSchema, input)
  const files = input.files ?? []
  const body = await readMessage(ctx, p, files, 'validation.writeComment')
  return changeConversation(ctx, asAgent(agent), p.conversationId, async ({ tx, conversation, actor, now, record }) => {
    const appended = await appendMessage(ctx, tx, { conversation, actor, kind: 'internal', body, files, at: now, authorAgentId: agent.id })
    // Agents named with @ (who may read the folder) are told of it by the notification listener.
    const mentions = await findMentions(tx, conversation.folderId, body.text)
    await record('comment.added', {
      messageId: appended.message.id,
      messageCount: appended.conversation.messageCount,
      ...(mentions.length ? { mentions } : {}),
    })
    return appended
  })
}
