import { Prisma as P } from '../../generated/prisma/client.ts'
import type { ActorKind, ConversationStatus } from '../../generated/prisma/enums.ts'
import type { ActorRef } from '../actor.ts'

/**
 * The status rules of a conversation (SPEC §1, §2), in one table: every status change, by hand or
 * automatic, is a row of it, and `statusFields` is the only code that turns a row into the columns
 * to write. What never changes the status (internal comments, auto-replies, bounces) has no row.
 */
export type LifecycleEvent =
  | 'agentReply' // an agent sent a public reply
  | 'customerMessage' // the customer wrote (e-mail, status page)
  | 'customerResolved' // the customer said it is solved
  | 'customerNotResolved' // the customer said they still need help
  | 'agentSetsNew' // an agent set the status by hand (any status, SPEC §1)
  | 'agentSetsOpen'
  | 'agentSetsPending'
  | 'agentSetsClosed'
  | 'reminderSent' // the sweep asked a silent customer whether it is solved
  | 'systemClose' // the inactivity rule

type Outcome = ConversationStatus | 'keep'

const table: Record<LifecycleEvent, Record<ConversationStatus, Outcome>> = {
  agentReply: { new: 'pending', open: 'pending', pending: 'pending', closed: 'pending' },
  customerMessage: { new: 'keep', open: 'keep', pending: 'open', closed: 'open' },
  customerResolved: { new: 'closed', open: 'closed', pending: 'closed', closed: 'keep' },
  customerNotResolved: { new: 'keep', open: 'keep', pending: 'open', closed: 'open' },
  agentSetsNew: { new: 'keep', open: 'new', pending: 'new', closed: 'new' },
  agentSetsOpen: { new: 'open', open: 'keep', pending: 'open', closed: 'open' },
  agentSetsPending: { new: 'pending', open: 'pending', pending: 'keep', closed: 'pending' },
  agentSetsClosed: { new: 'closed', open: 'closed', pending: 'closed', closed: 'keep' },
  reminderSent: { new: 'keep', open: 'keep', pending: 'keep', closed: 'keep' },
  systemClose: { new: 'keep', open: 'keep', pending: 'closed', closed: 'keep' },
}

/** The row for an agent setting `to` by hand. */
export const SET_BY_AGENT: Record<ConversationStatus, LifecycleEvent> = {
  new: 'agentSetsNew',
  open: 'agentSetsOpen',
  pending: 'agentSetsPending',
  closed: 'agentSetsClosed',
}

export interface Transition {
  event: LifecycleEvent
  from: ConversationStatus
  to: ConversationStatus
  changed: boolean
}

export function transition(from: ConversationStatus, event: LifecycleEvent): Transition {
  const outcome = table[event][from]
  const to = outcome === 'keep' ? from : outcome
  return { event, from, to, changed: to !== from }
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

/** The columns of a conversation that only the table decides. */
export interface StatusFields {
  status: ConversationStatus
  pendingSince?: Date | null
  reminderSentAt?: Date | null
  closedAt?: Date | null
  closedByKind?: ActorKind | null
  closedById?: number | null
}

/**
 * The columns to write for a transition, done by `by` at `now`: a pending period starts (and
 * re-arms the reminder) at every agent reply; the reminder marks its period; leaving pending
 * clears it; closing stamps who and when, leaving closed clears that.
 */
export function statusFields(t: Transition, now: Date, by: ActorRef): StatusFields {
  const fields: StatusFields = { status: t.to }
  if (t.to === 'pending' && (t.changed || t.event === 'agentReply')) {
    fields.pendingSince = now
    fields.reminderSentAt = null
  } else if (t.to === 'pending' && t.event === 'reminderSent') {
    fields.reminderSentAt = now
  } else if (t.changed && t.from === 'pending') {
    fields.pendingSince = null
    fields.reminderSentAt = null
  }
  if (t.changed && t.to === 'closed') {
    fields.closedAt = now
    fields.closedByKind = by.kind
    fields.closedById = by.kind === 'agent' ? by.agent.id : null
  } else if (t.changed && t.from === 'closed') {
    fields.closedAt = null
    fields.closedByKind = null
    fields.closedById = null
  }
  return fields
}

/**
 * A conversation's status columns at birth: `new`, or what its first event makes of a new
 * conversation (an agent's message sent to the customer: pending).
 */
export function initialStatusFields(now: Date, by: ActorRef, first?: LifecycleEvent): StatusFields {
  return first ? statusFields(transition('new', first), now, by) : { status: 'new' }
}

/** A conversation's status columns as they are now, to be put back if what changes them is undone. */
export function currentStatusFields(c: Required<StatusFields>): Required<StatusFields> {
  return {
    status: c.status,
    pendingSince: c.pendingSince,
    reminderSentAt: c.reminderSentAt,
    closedAt: c.closedAt,
    closedByKind: c.closedByKind,
    closedById: c.closedById,
  }
}

/**
 * The columns to write when a withdrawn reply is undone: exactly those saved before it
 * (`currentStatusFields`), pending period and closing stamps included, as if it had not been sent.
 */
export function restoredStatusFields(saved: Required<StatusFields>): Required<StatusFields> {
  return currentStatusFields(saved)
}

/** Each column's SQL type, for the assignments below. */
const COLUMN_TYPES: Record<keyof StatusFields, string> = {
  status: '"ConversationStatus"',
  pendingSince: 'timestamptz',
  reminderSentAt: 'timestamptz',
  closedAt: 'timestamptz',
  closedByKind: '"ActorKind"',
  closedById: 'int',
}

/**
 * `statusFields` as the assignments of an `UPDATE conversations SET …`, for the set-based sweep,
 * which changes a batch of conversations (all in `t.from`) in one statement.
 */
export function statusAssignments(t: Transition, now: Date, by: ActorRef): P.Sql {
  const fields = statusFields(t, now, by)
  return P.join(
    (Object.keys(fields) as (keyof StatusFields)[]).map((column) => P.sql`${P.raw(`"${column}"`)} = ${fields[column]}::${P.raw(COLUMN_TYPES[column])}`),
    ', ',
  )
}
