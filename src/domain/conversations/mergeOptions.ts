import type { Prisma } from '../../db/database.ts'
import { conversationScopeWhere, type FolderScope } from '../policy.ts'

/** How many of the customer's conversations the merge menu offers (the number field reaches the others). */
const MAX_CANDIDATES = 50

/**
 * What the conversation page's merge tools show: where this conversation was merged into (if it
 * was), else the customer's other conversations it may be merged into — still being worked on
 * (new, open, pending), not merged, in the agent's folders. A customer merged into another (or
 * merged into this one's) counts as the same customer.
 */
export async function findMergeOptions(prisma: Prisma, scope: FolderScope, conversation: { id: number; customerId: number }) {
  const self = await prisma.conversation.findUnique({
    where: { id: conversation.id },
    select: { mergedInto: { select: { number: true, subject: true } }, customer: { select: { mergedIntoId: true } } },
  })
  if (self?.mergedInto) return { mergedInto: self.mergedInto, candidates: [] }
  const customerIds = [conversation.customerId, ...(self?.customer.mergedIntoId ? [self.customer.mergedIntoId] : [])]
  const candidates = await prisma.conversation.findMany({
    where: {
      id: { not: conversation.id },
      mergedIntoId: null,
      status: { in: ['new', 'open', 'pending'] },
      OR: [{ customerId: { in: customerIds } }, { customer: { mergedIntoId: { in: customerIds } } }],
      ...conversationScopeWhere(scope),
    },
    orderBy: [{ lastActivityAt: 'desc' }, { id: 'desc' }],
    take: MAX_CANDIDATES,
    select: { number: true, subject: true, status: true },
  })
  return { mergedInto: null, candidates }
}
