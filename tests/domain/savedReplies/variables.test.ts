import { describe, expect, it } from 'vitest'
import { fillVariables, firstNameOf, type VariableValues } from '../../../src/domain/savedReplies/variables.ts'

const values: VariableValues = {
  customerName: 'Camille Dupont',
  agentName: 'Ada Lovelace',
  conversationNumber: 1042,
  statusUrl: 'https://help.example.com/s/7.abc_DEF-123',
}

describe('saved reply variables', () => {
  it('fills in the customer, the agent, the conversation number and the status link', () => {
    const html =
      '<p>Hello {{customer.firstName}} ({{customer.name}}),</p><p>About #{{conversation.number}}: {{conversation.statusLink}}</p><p>{{agent.firstName}} / {{agent.name}}</p>'
    expect(fillVariables(html, values)).toBe(
      '<p>Hello Camille (Camille Dupont),</p><p>About #1042: <a href="https://help.example.com/s/7.abc_DEF-123">https://help.example.com/s/7.abc_DEF-123</a></p><p>Ada / Ada Lovelace</p>',
    )
  })

  it('accepts spaces inside the braces', () => {
    expect(fillVariables('<p>Hi {{ customer.firstName }}!</p>', values)).toBe('<p>Hi Camille!</p>')
  })

  it('escapes the values: a name is text, never markup', () => {
    const filled = fillVariables('<p>Dear {{customer.name}}</p>', { ...values, customerName: '<img src=x onerror=alert(1)> & "Co"' })
    expect(filled).toBe('<p>Dear &lt;img src=x onerror=alert(1)&gt; &amp; &quot;Co&quot;</p>')
    expect(fillVariables('{{conversation.statusLink}}', { ...values, statusUrl: 'https://x.test/s/"><b>' })).toBe(
      '<a href="https://x.test/s/&quot;&gt;&lt;b&gt;">https://x.test/s/&quot;&gt;&lt;b&gt;</a>',
    )
  })

  it('leaves an unknown variable as typed, so the typo shows', () => {
    expect(fillVariables('<p>Hi {{customer.nickname}} and {{ agent.phone }}</p>', values)).toBe('<p>Hi {{customer.nickname}} and {{ agent.phone }}</p>')
  })

  it('without a first name, the greeting still reads well: the empty name takes its space with it before punctuation', () => {
    const nameless = { ...values, customerName: '' }
    expect(fillVariables('<p>Hello {{customer.firstName}},</p>', nameless)).toBe('<p>Hello,</p>')
    expect(fillVariables('<p>Hello {{customer.firstName}}</p>', nameless)).toBe('<p>Hello</p>')
    expect(fillVariables('<p>Thanks {{customer.firstName}} for writing</p>', nameless)).toBe('<p>Thanks  for writing</p>')
  })

  it('takes the first word of a name as the first name', () => {
    expect(firstNameOf('  Anne Marie Dupont ')).toBe('Anne')
    expect(firstNameOf('')).toBe('')
  })
})
