import { z } from 'zod'
import { asAgent, type Actor } from '../../actor.ts'
import type { DomainContext } from '../../context.ts'
import type { Tx } from '../../../db/database.ts'
import { ConflictError, parseInput, ValidationError } from '../../errors.ts'
import type { Conversation } from '../../../generated/prisma/client.ts'
import { newMessageId } from '../../../mail/messageIds.ts'
import { appendMessage } from '../appendMessage.ts'
import { addressList, keepCopies, withoutAddresses } from '../copies.ts'
import { changeConversation } from '../changeConversation.ts'
import { currentStatusFields, SET_BY_AGENT, statusFields, transition } from '../lifecycle.ts'
import { readMessage, type UploadedFile } from '../messageBody.ts'
import { UNDO_SEND_MS } from './withdrawReply.ts'

export const replySchema = z.object({
  conversationId: z.number().int().positive(),
  html: z.string().max(40_000_000).optional(),
  text: z.string().max(1_000_000).optional(),
  /** A status to set once the reply is sent (close it, say); default: what the reply leads to. */
  statusAfter: z.enum(['pending', 'open', 'closed']).optional(),
  /** The thread version the agent wrote against; a newer message makes the send ask first. */
  seenMessageCount: z.number().int().min(0).optional(),
  /** Hold the e-mail for UNDO_SEND_MS so that its author may withdraw it (the reply form asks for it). */
  holdForUndo: z.boolean().optional(),
  /**
   * Copies of the reply (addresses, typed or as a list), kept on the conversation for its next
   * replies. Not given: the conversation's own; given empty: none from now on.
   */
  cc: addressList.optional(),
  bcc: addressList.optional(),
})
export type ReplyInput = z.input<typeof replySchema> & { files?: UploadedFile[] }

/** Raised when messages arrived after the agent's page was loaded: show them, then confirm. */
export class ThreadChangedError extends ConflictError {
  override name = 'ThreadChangedError'
  constructor(readonly messageCount: number) {
    super('error.threadChanged')
  }
}

/**
 * An agent's public reply: stored, e-mailed to the customer through the outbox, status pending.
 * Held for undo, the e-mail waits in the outbox a few seconds and the event keeps what the reply
 * changed on the conversation, so that `withdrawReply` can put it back.
 */
export async function replyAsAgent(ctx: DomainContext, agent: Actor, input: ReplyInput) {
  const p = parseInput(replySchema, input)
  const files = input.files ?? []
  const body = await readMessage(ctx, p, files, 'validation.writeReply')
  return changeConversation(ctx, asAgent(agent), p.conversationId, async ({ tx, conversation, actor, now, record }) => {
    // Its messages now live in the survivor: a reply here would reopen an empty shell.
    if (conversation.mergedIntoId !== null) throw new ValidationError('error.replyToMergedConversation')
    // A confirmation covers only the messages the agent was shown: a newer one asks again.
    if (p.seenMessageCount !== undefined && conversation.messageCount > p.seenMessageCount) {
      throw new ThreadChangedError(conversation.messageCount)
    }
    const copies = await copiesOf(tx, conversation, p)
    const emailMessageId = newMessageId(ctx.mail.mailDomain)
    const appended = await appendMessage(ctx, tx, {
      conversation,
      actor,
      kind: 'agent',
      body,
      files,
      at: now,
      authorAgentId: agent.id,
      emailMessageId,
      ...copies,
    })
    const sendAfter = p.holdForUndo ? new Date(now.getTime() + UNDO_SEND_MS) : null
    await record('reply.sent', {
      messageId: appended.message.id,
      messageCount: appended.conversation.messageCount,
      ...(sendAfter ? { sendAfter: sendAfter.toISOString(), before: savedBeforeReply(conversation) } : {}),
    })

    await keepCopies(tx, record, appended.conversation, copies)

    let t = transition(conversation.status, 'agentReply')
    // A status chosen with the reply is set by hand from where the conversation was.
    if (p.statusAfter && p.statusAfter !== t.to) t = transition(conversation.status, SET_BY_AGENT[p.statusAfter])
    const updated = await tx.conversation.update({ where: { id: conversation.id }, data: statusFields(t, now, actor) })
    if (t.changed) await record('status.changed', { from: t.from, to: t.to })
    // Where it stood in the lists before the reply moved it up: "the next conversation" is found from there.
    const positionBefore = { id: conversation.id, lastActivityAt: conversation.lastActivityAt }
    return { conversation: updated, message: appended.message, sendAfter, positionBefore }
  })
}

/**
 * Who gets copies of the reply: those given, else those kept on the conversation; never its
 * customer (who is in To), and nobody in both Cc and Bcc (Cc wins: it is said openly).
 */
async function copiesOf(tx: Tx, conversation: Conversation, p: { cc?: string[]; bcc?: string[] }) {
  const customer = await tx.customer.findUniqueOrThrow({ where: { id: conversation.customerId }, select: { email: true } })
  const cc = withoutAddresses(p.cc ?? conversation.cc, [customer.email])
  const bcc = withoutAddresses(p.bcc ?? conversation.bcc, [customer.email, ...cc])
  return { cc, bcc }
}

/** What a reply changes on its conversation besides its thread, as it was (JSON for the event). */
function savedBeforeReply(c: Conversation) {
  const iso = (d: Date | null) => d?.toISOString() ?? null
  const s = currentStatusFields(c)
  return {
    status: s.status,
    pendingSince: iso(s.pendingSince),
    reminderSentAt: iso(s.reminderSentAt),
    closedAt: iso(s.closedAt),
    closedByKind: s.closedByKind,
    closedById: s.closedById,
    lastActivityAt: iso(c.lastActivityAt),
    lastAgentReplyAt: iso(c.lastAgentReplyAt),
  }
}
