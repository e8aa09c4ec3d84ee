import { describe, expect, it } from 'vitest'
import { SYSTEM, type ActorRef } from '../../../src/domain/actor.ts'
import {
  initialStatusFields,
  reopensClosedConversation,
  SET_BY_AGENT,
  statusAssignments,
  statusFields,
  transition,
  type LifecycleEvent,
} from '../../../src/domain/conversations/lifecycle.ts'
import type { ConversationStatus } from '../../../src/generated/prisma/enums.ts'

const STATUSES: ConversationStatus[] = ['new', 'open', 'pending', 'closed']

// SPEC §1, written out for every event and every status.
const expected: Record<LifecycleEvent, Record<ConversationStatus, ConversationStatus>> = {
  agentReply: { new: 'pending', open: 'pending', pending: 'pending', closed: 'pending' },
  customerMessage: { new: 'new', open: 'open', pending: 'open', closed: 'open' },
  customerResolved: { new: 'closed', open: 'closed', pending: 'closed', closed: 'closed' },
  customerNotResolved: { new: 'new', open: 'open', pending: 'open', closed: 'open' },
  agentSetsNew: { new: 'new', open: 'new', pending: 'new', closed: 'new' },
  agentSetsOpen: { new: 'open', open: 'open', pending: 'open', closed: 'open' },
  agentSetsPending: { new: 'pending', open: 'pending', pending: 'pending', closed: 'pending' },
  agentSetsClosed: { new: 'closed', open: 'closed', pending: 'closed', closed: 'closed' },
  reminderSent: { new: 'new', open: 'open', pending: 'pending', closed: 'closed' },
  systemClose: { new: 'new', open: 'open', pending: 'closed', closed: 'closed' },
}
const agent: ActorRef = { kind: 'agent', agent: { id: 7, name: 'Ada', email: 'ada@example.test', role: 'agent' } }
const customer: ActorRef = { kind: 'customer', customerId: 3 }

describe('the status rules', () => {
  for (const [event, row] of Object.entries(expected) as [LifecycleEvent, Record<ConversationStatus, ConversationStatus>][]) {
    for (const from of STATUSES) {
      it(`${event} on a ${from} conversation makes it ${row[from]}`, () => {
        const t = transition(from, event)
        expect(t.to).toBe(row[from])
        expect(t.changed).toBe(row[from] !== from)
      })
    }
  }

  it('lets an agent set any status by hand', () => {
    for (const from of STATUSES) for (const to of STATUSES) expect(transition(from, SET_BY_AGENT[to])).toMatchObject({ from, to, changed: from !== to })
  })

  it('starts a new pending period at every agent reply, even when already pending', () => {
    const now = new Date('2027-01-01T00:00:00Z')
    const fields = statusFields(transition('pending', 'agentReply'), now, agent)
    expect(fields).toMatchObject({ status: 'pending', pendingSince: now, reminderSentAt: null })
    // Set by hand to what it already is, nothing but the status is written.
    expect(statusFields(transition('pending', 'agentSetsPending'), now, agent)).toEqual({ status: 'pending' })
  })

  it('marks the pending period reminded, and closes it as System', () => {
    const now = new Date('2027-01-01T00:00:00Z')
    expect(statusFields(transition('pending', 'reminderSent'), now, SYSTEM)).toEqual({ status: 'pending', reminderSentAt: now })
    expect(statusFields(transition('pending', 'systemClose'), now, SYSTEM)).toEqual({
      status: 'closed',
      pendingSince: null,
      reminderSentAt: null,
      closedAt: now,
      closedByKind: 'system',
      closedById: null,
    })
  })

  it('gives a new conversation status new, or pending with a fresh period when the agent’s message is sent', () => {
    const now = new Date('2027-01-01T00:00:00Z')
    expect(initialStatusFields(now, customer)).toEqual({ status: 'new' })
    expect(initialStatusFields(now, agent, 'agentReply')).toEqual({ status: 'pending', pendingSince: now, reminderSentAt: null })
  })

  it('renders every transition’s fields as SQL assignments of the same columns and values', () => {
    const now = new Date('2027-01-01T00:00:00Z')
    for (const event of Object.keys(expected) as LifecycleEvent[]) {
      for (const from of STATUSES) {
        for (const by of [agent, customer, SYSTEM]) {
          const t = transition(from, event)
          const fields = statusFields(t, now, by)
          const sql = statusAssignments(t, now, by)
          const columns = [...sql.sql.matchAll(/"(\w+)" = \?::/g)].map((m) => m[1])
          expect(columns).toEqual(Object.keys(fields))
          expect(sql.values).toEqual(Object.values(fields))
        }
      }
    }
  })

  it('clears the pending period when the customer answers, and stamps who closed', () => {
    const now = new Date('2027-01-01T00:00:00Z')
    expect(statusFields(transition('pending', 'customerMessage'), now, customer)).toMatchObject({ status: 'open', pendingSince: null, reminderSentAt: null })
    expect(statusFields(transition('open', 'agentSetsClosed'), now, agent)).toMatchObject({
      status: 'closed',
      closedAt: now,
      closedByKind: 'agent',
      closedById: 7,
    })
    expect(statusFields(transition('pending', 'customerResolved'), now, customer)).toMatchObject({
      status: 'closed',
      closedAt: now,
      closedByKind: 'customer',
      closedById: null,
    })
    expect(statusFields(transition('closed', 'customerMessage'), now, customer)).toMatchObject({ status: 'open', closedAt: null, closedByKind: null })
  })

  it('reopens a closed conversation only within the reopen window (0 disables reopening)', () => {
    const closedAt = new Date('2027-01-01T00:00:00Z')
    const day = 24 * 60 * 60 * 1000
    expect(reopensClosedConversation(closedAt, new Date(closedAt.getTime() + 30 * day), 30)).toBe(true)
    expect(reopensClosedConversation(closedAt, new Date(closedAt.getTime() + 30 * day + 1), 30)).toBe(false)
    expect(reopensClosedConversation(closedAt, new Date(closedAt.getTime() + 1000), 0)).toBe(false)
  })
})
