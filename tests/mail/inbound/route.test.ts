import { describe, expect, it } from 'vitest'
import type { InboundMail } from '../../../src/mail/inbound/parse.ts'
import { recipientsOf } from '../../../src/mail/inbound/route.ts'

const mail = (to: string[], headers: Record<string, string> = {}) =>
  ({ to: to.map((address) => ({ address, name: '' })), cc: [], headers: new Map(Object.entries(headers)) }) as unknown as InboundMail

describe('recipientsOf', () => {
  it('gathers headers and envelope, lower-cased, once each', () => {
    expect(
      recipientsOf(mail(['Help@Acme.example'], { 'delivered-to': 'help@acme.example', 'x-original-to': 'sales@acme.example' }), ['<Sales@acme.example>']),
    ).toEqual(['help@acme.example', 'sales@acme.example'])
  })

  it('drops addresses with control characters (PostgreSQL refuses NUL; no address holds one)', () => {
    expect(recipientsOf(mail(['sa\u0000les@acme.example', 'help@acme.example'], { 'delivered-to': 'x\u0001@acme.example' }), ['y\u0000@acme.example'])).toEqual(
      ['help@acme.example'],
    )
  })
})
