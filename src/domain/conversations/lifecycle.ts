import type { ConversationStatus } from '../../generated/prisma/enums.ts'

/**
 * The status rules of a conversation (SPEC §1), in one table. Each event names what happened;
 * the table says the status it leads to from each status. `keep` leaves the status as it is.
 */
export type LifecycleEvent =
  | 'agentReply' // an agent sent a public reply
  | 'internalComment' // an agent added an internal comment
  | 'customerMessage' // the customer wrote (e-mail, status page)
  | 'autoReply' // an out-of-office, bounce or other automatic message
  | 'customerResolved' // the customer said it is solved
  | 'customerNotResolved' // the customer said they still need help
  | 'agentClose'
  | 'systemClose' // the inactivity rule
  | 'agentReopen'

type Outcome = ConversationStatus | 'keep'

const table: Record<LifecycleEvent, Record<ConversationStatus, Outcome>> = {
  agentReply: { new: 'pending', open: 'pending', pending: 'pending', closed: 'pending' },
  internalComment: { new: 'keep', open: 'keep', pending: 'keep', closed: 'keep' },
  customerMessage: { new: 'keep', open: 'keep', pending: 'open', closed: 'open' },
  autoReply: { new: 'keep', open: 'keep', pending: 'keep', closed: 'keep' },
  customerResolved: { new: 'closed', open: 'closed', pending: 'closed', closed: 'keep' },
  customerNotResolved: { new: 'keep', open: 'keep', pending: 'open', closed: 'open' },
  agentClose: { new: 'closed', open: 'closed', pending: 'closed', closed: 'keep' },
  systemClose: { new: 'keep', open: 'keep', pending: 'closed', closed: 'keep' },
  agentReopen: { new: 'keep', open: 'keep', pending: 'open', closed: 'open' },
}

export interface Transition {
  from: ConversationStatus
  to: ConversationStatus
  changed: boolean
}

export function transition(from: ConversationStatus, event: LifecycleEvent): Transition {
  const outcome = table[event][from]
  const to = outcome === 'keep' ? from : outcome
  return { from, to, changed: to !== from }
}

const DAY_MS = 24 * 60 * 60 * 1000

/**
 * A customer message to a closed conversation reopens it only within the reopen window;
 * after that it starts a new conversation that links the old one. 0 days: never reopen.
 */
export function reopensClosedConversation(closedAt: Date | null, now: Date, reopenWindowDays: number): boolean {
  if (!closedAt) return true
  if (reopenWindowDays <= 0) return false
  return now.getTime() - closedAt.getTime() <= reopenWindowDays * DAY_MS
}

/**
 * The timestamps that go with a status: a pending period starts (and re-arms the reminder) at
 * every agent reply; leaving pending clears it; closing stamps who and when.
 */
export function statusFields(
  t: Transition,
  now: Date,
  closedBy: { kind: 'agent' | 'customer' | 'system'; agentId?: number | null },
  cause: LifecycleEvent | 'manual',
) {
  const fields: {
    status: ConversationStatus
    pendingSince?: Date | null
    reminderSentAt?: Date | null
    closedAt?: Date | null
    closedByKind?: 'agent' | 'customer' | 'system' | null
    closedById?: number | null
  } = { status: t.to }
  if (t.to === 'pending' && (t.changed || cause === 'agentReply')) {
    fields.pendingSince = now
    fields.reminderSentAt = null
  } else if (t.changed && t.from === 'pending') {
    fields.pendingSince = null
    fields.reminderSentAt = null
  }
  if (t.changed && t.to === 'closed') {
    fields.closedAt = now
    fields.closedByKind = closedBy.kind
    fields.closedById = closedBy.agentId ?? null
  } else if (t.changed && t.from === 'closed') {
    fields.closedAt = null
    fields.closedByKind = null
    fields.closedById = null
  }
  return fields
}

/** An agent may set any status by hand. */
export function manualTransition(from: ConversationStatus, to: ConversationStatus): Transition {
  return { from, to, changed: from !== to }
}
