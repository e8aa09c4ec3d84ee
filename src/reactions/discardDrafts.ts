import type { TransactionalReaction } from '../domain/events/record.ts'

const SENT = new Set(['reply.sent', 'comment.added'])

/**
 * A reply or comment sent takes the place of its author's draft on the conversation: the draft
 * goes in the same transaction, so no stale draft is offered again after a send (and a send that
 * fails keeps it). Other agents' screens learn of it from the new message (drafts.js asks again).
 */
export function discardDrafts(): TransactionalReaction {
  return {
    name: 'discardDrafts',
    async inTransaction(tx, events) {
      for (const e of events) {
        if (!SENT.has(e.type) || e.actorKind !== 'agent' || e.actorAgentId === null || e.conversationId === null) continue
        await tx.draft.deleteMany({ where: { agentId: e.actorAgentId, conversationId: e.conversationId } })
      }
    },
  }
}
