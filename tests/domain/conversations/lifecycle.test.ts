import { describe, expect, it } from 'vitest'
import { manualTransition, reopensClosedConversation, statusFields, transition, type LifecycleEvent } from '../../../src/domain/conversations/lifecycle.ts'
import type { ConversationStatus } from '../../../src/generated/prisma/enums.ts'

const STATUSES: ConversationStatus[] = ['new', 'open', 'pending', 'closed']

// SPEC §1, written out for every event and every status.
const expected: Record<LifecycleEvent, Record<ConversationStatus, ConversationStatus>> = {
  agentReply: { new: 'pending', open: 'pending', pending: 'pending', closed: 'pending' },
  internalComment: { new: 'new', open: 'open', pending: 'pending', closed: 'closed' },
  customerMessage: { new: 'new', open: 'open', pending: 'open', closed: 'open' },
  autoReply: { new: 'new', open: 'open', pending: 'pending', closed: 'closed' },
  customerResolved: { new: 'closed', open: 'closed', pending: 'closed', closed: 'closed' },
  customerNotResolved: { new: 'new', open: 'open', pending: 'open', closed: 'open' },
  agentClose: { new: 'closed', open: 'closed', pending: 'closed', closed: 'closed' },
  systemClose: { new: 'new', open: 'open', pending: 'closed', closed: 'closed' },
  agentReopen: { new: 'new', open: 'open', pending: 'open', closed: 'open' },
}

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
    for (const from of STATUSES) for (const to of STATUSES) expect(manualTransition(from, to)).toEqual({ from, to, changed: from !== to })
  })

  it('starts a new pending period at every agent reply, even when already pending', () => {
    const now = new Date('2027-01-01T00:00:00Z')
    const fields = statusFields(transition('pending', 'agentReply'), now, { kind: 'agent', agentId: 1 }, 'agentReply')
    expect(fields).toMatchObject({ status: 'pending', pendingSince: now, reminderSentAt: null })
  })

  it('clears the pending period when the customer answers, and stamps who closed', () => {
    const now = new Date('2027-01-01T00:00:00Z')
    expect(statusFields(transition('pending', 'customerMessage'), now, { kind: 'customer' }, 'customerMessage')).toMatchObject({ status: 'open', pendingSince: null, reminderSentAt: null })
    expect(statusFields(transition('open', 'agentClose'), now, { kind: 'agent', agentId: 7 }, 'agentClose')).toMatchObject({ status: 'closed', closedAt: now, closedByKind: 'agent', closedById: 7 })
    expect(statusFields(transition('closed', 'customerMessage'), now, { kind: 'customer' }, 'customerMessage')).toMatchObject({ status: 'open', closedAt: null, closedByKind: null })
  })

  it('reopens a closed conversation only within the reopen window (0 disables reopening)', () => {
    const closedAt = new Date('2027-01-01T00:00:00Z')
    const day = 24 * 60 * 60 * 1000
    expect(reopensClosedConversation(closedAt, new Date(closedAt.getTime() + 30 * day), 30)).toBe(true)
    expect(reopensClosedConversation(closedAt, new Date(closedAt.getTime() + 30 * day + 1), 30)).toBe(false)
    expect(reopensClosedConversation(closedAt, new Date(closedAt.getTime() + 1000), 0)).toBe(false)
  })
})
