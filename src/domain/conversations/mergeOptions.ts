import type { Prisma } from '../../db/database.ts'
import { conversationScopeWhere, type FolderScope } from '../policy.ts'

/** How many of the customer's conversations the merge menu offers (the number field reaches the others). */
const MAX_CANDIDATES = 50

/**
 * What the conversation page's merge tools show: where this conversation was merged into (if it
 * was), else the customer's other conversations it may be merged into — still being worked on
 * (new, open, pending), not merged, in the agent's folders. Two statements at most, one as a rule.
 */
export async function findMergeOptions(prisma: Prisma, scope: FolderScope, conversation: { id: number; customerId: number; mergedIntoId: number | null }) {
  if (conversation.mergedIntoId !== null) {
    const mergedInto = await prisma.conversation.findUnique({ where: { id: conversation.mergedIntoId }, select: { number: true, subject: true } })
    return { mergedInto, candidates: [] }
  }
  // Conversations of a customer merged into this one moved with the merge (mergeCustomers): the
  // customer's own are all there is.
  const candidates = await prisma.conversation.findMany({
    where: {
      id: { not: conversation.id },
      customerId: conversation.customerId,
      mergedIntoId: null,
      status: { in: ['new', 'open', 'pending'] },
      ...conversationScopeWhere(scope),
    },
    orderBy: [{ lastActivityAt: 'desc' }, { id: 'desc' }],
    take: MAX_CANDIDATES,
    select: { number: true, subject: true, status: true },
  })
  return { mergedInto: null, candidates }
}
