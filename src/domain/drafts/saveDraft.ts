import { z } from 'zod'
import type { Prisma, Tx } from '../../db/database.ts'
import { asAgent, type Actor } from '../actor.ts'
import { htmlToText, sanitizeMessageHtml } from '../content/index.ts'
import type { DomainContext } from '../context.ts'
import { NotFoundError, parseInput } from '../errors.ts'
import { authorize, withFolderIds } from '../policy.ts'
import { transaction } from '../transaction.ts'
import { draftersOf } from './draftQueries.ts'

// As large as a comment may be; the request body limit (1 MB) is met first in practice.
export const draftSchema = z.object({
  conversationId: z.number().int().positive(),
  html: z.string().max(40_000_000).optional(),
  text: z.string().max(1_000_000).optional(),
})
export type DraftInput = z.input<typeof draftSchema>

export const discardDraftSchema = z.object({ conversationId: z.number().int().positive() })

/**
 * Keeps what the agent is writing on a conversation, as they type (one row per agent and
 * conversation: the last save wins, from whichever device). A draft is work in progress, not a
 * change of the conversation, so it records no event; when an agent comes to have a draft or
 * stops having one, the others on the conversation are told live. An empty draft is no draft.
 */
export async function saveDraft(ctx: DomainContext, agent: Actor, input: DraftInput): Promise<{ saved: boolean }> {
  const p = parseInput(draftSchema, input)
  const html = sanitizeMessageHtml(p.html ?? '')
  const text = p.text?.trim() ? p.text : htmlToText(html)
  if (isEmpty(html, text)) {
    await discardDraft(ctx, agent, { conversationId: p.conversationId })
    return { saved: false }
  }
  const { conversation, appeared } = await transaction(ctx, async (tx) => {
    const conversation = await conversationToActOn(tx, agent, p.conversationId)
    // xmax is 0 on a row this statement inserted: the agent had no draft until now.
    const [row] = await tx.$queryRaw<{ inserted: boolean }[]>`
      INSERT INTO drafts ("agentId", "conversationId", html, text, "updatedAt") VALUES (${agent.id}, ${conversation.id}, ${html}, ${text}, ${ctx.clock()})
      ON CONFLICT ("agentId", "conversationId") DO UPDATE SET html = EXCLUDED.html, text = EXCLUDED.text, "updatedAt" = EXCLUDED."updatedAt"
      RETURNING (xmax = 0) AS inserted`
    return { conversation, appeared: Boolean(row?.inserted) }
  })
  if (appeared) await announceDrafters(ctx, conversation)
  return { saved: true }
}

/** Throws the draft away (the agent cleared it, or sent it); nothing happens when there is none. */
export async function discardDraft(ctx: DomainContext, agent: Actor, input: z.input<typeof discardDraftSchema>): Promise<void> {
  const p = parseInput(discardDraftSchema, input)
  const { conversation, gone } = await transaction(ctx, async (tx) => {
    const conversation = await conversationToActOn(tx, agent, p.conversationId)
    const { count } = await tx.draft.deleteMany({ where: { agentId: agent.id, conversationId: conversation.id } })
    return { conversation, gone: count > 0 }
  })
  if (gone) await announceDrafters(ctx, conversation)
}

/**
 * Tells every screen on the conversation who has a draft on it now (after the commit, over the
 * bus; the same list whoever changed it, so a notice that arrives late is still right).
 */
async function announceDrafters(ctx: Pick<DomainContext, 'prisma' | 'events'>, conversation: { id: number; folderId: number }) {
  const drafters = await draftersOf(ctx.prisma, conversation.id)
  ctx.events.publish({ type: 'drafts.changed', conversationId: conversation.id, folderId: conversation.folderId, drafters })
}

/** Drafting is acting on the conversation: only those who may reply to it may keep a draft of one. */
async function conversationToActOn(db: Prisma | Tx, agent: Actor, conversationId: number) {
  // No row lock: an autosave must never wait behind a reply being sent.
  const conversation = await db.conversation.findUnique({ where: { id: conversationId }, select: { id: true, folderId: true, customerId: true } })
  if (!conversation) throw new NotFoundError()
  authorize(await withFolderIds(db, asAgent(agent)), 'act', { type: 'conversation', folderId: conversation.folderId, customerId: conversation.customerId })
  return conversation
}

/** Nothing written: no words, no picture, no video. */
function isEmpty(html: string, text: string): boolean {
  return text.trim() === '' && !/<(img|iframe)\b/i.test(html)
}
