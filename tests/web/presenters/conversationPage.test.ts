import { describe, expect, it } from 'vitest'
import { presentViewer } from '../../../src/web/presenters/conversationPage.ts'

describe('another agent on the conversation page', () => {
  it('is shown by their initials, first and last name', () => {
    expect(presentViewer({ agentId: 3, name: 'Bruno  de la Fontaine', composing: false }).initials).toBe('BF')
    expect(presentViewer({ agentId: 3, name: 'Émile', composing: false }).initials).toBe('É')
    expect(presentViewer({ agentId: 3, name: 'zoë ölund', composing: true })).toMatchObject({ initials: 'ZÖ', composing: true })
  })

  it('on a colour that follows from their id, always the same, one of eight', () => {
    expect(presentViewer({ agentId: 11, name: 'A', composing: false }).hue).toBe(3)
    expect(presentViewer({ agentId: 19, name: 'B', composing: false }).hue).toBe(3)
    expect(presentViewer({ agentId: 8, name: 'C', composing: false }).hue).toBe(0)
  })
})
