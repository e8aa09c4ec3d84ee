import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../src/domain/actor.ts'
import { blockCustomer } from '../../../src/domain/customers/blockCustomer.ts'
import { listHeldMessages, markNotSpam } from '../../../src/domain/customers/spam.ts'
import { addCustomerAddress } from '../../../src/domain/customers/updateCustomer.ts'
import { processInboundMessage, receiveRawMessage } from '../../../src/mail/inbound/intake.ts'
import { buildAgent } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

let n = 0
/** A plain customer e-mail, as a mail server hands it over. */
function email(from: string, subject: string, extra: string[] = []) {
  return Buffer.from(
    [
      `From: ${from}`,
      'To: help@acme.example',
      `Subject: ${subject}`,
      `Message-ID: <blocked-${++n}@sender.example>`,
      'Date: Mon, 4 Jan 2027 09:00:00 +0000',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      ...extra,
      '',
      'Cheap watches, best prices, click now.',
      '',
    ].join('\r\n'),
  )
}

describe('mail from a blocked sender', () => {
  let app: TestApp
  let admin: Actor
  const prisma = () => app.ctx.db.prisma
  const receive = (raw: Buffer) =>
    receiveRawMessage(app.ctx.domain, { source: 'smtp', raw, envelopeFrom: 'bounce@sender.example', envelopeTo: ['help@acme.example'] })
  const sentTo = (address: string) => prisma().outboxEmail.count({ where: { toAddress: { contains: address } } })

  beforeAll(async () => {
    app = await startTestApp({ MAIL_FROM: 'Acme Support <help@acme.example>' })
    admin = await buildAgent(prisma(), { role: 'admin' })
  })
  afterAll(async () => {
    await app?.close()
  })

  it('is kept as spam from any of their addresses: no conversation, no message, no acknowledgement, nobody told; a reply is held too', async () => {
    const first = await receive(email('Spammer <sales@watches.example>', 'Best watches'))
    const conversation = await prisma().conversation.findUniqueOrThrow({ where: { id: (first.outcome as { conversationId: number }).conversationId } })
    expect(await sentTo('sales@watches.example')).toBe(1) // the acknowledgement of the first request
    await addCustomerAddress(app.ctx.domain, admin, { customerId: conversation.customerId, email: 'promo@watches.example' })
    await blockCustomer(app.ctx.domain, admin, { customerId: conversation.customerId })
    const [conversations, messages, outbox, notifications] = await Promise.all([
      prisma().conversation.count(),
      prisma().message.count(),
      prisma().outboxEmail.count(),
      prisma().notification.count(),
    ])

    const fresh = await receive(email('"Promo" <PROMO@watches.example>', 'New offers!'))
    const reply = await receive(email('sales@watches.example', `Re: Best watches [#${conversation.number}]`))
    for (const { id } of [fresh, reply]) {
      const row = await prisma().inboundMessage.findUniqueOrThrow({ where: { id } })
      expect(row).toMatchObject({ status: 'blocked', conversationId: null })
      expect(row.note).toContain('blocked sender')
      expect(row.raw.length).toBeGreaterThan(100)
    }
    expect(await prisma().conversation.count()).toBe(conversations)
    expect(await prisma().message.count()).toBe(messages)
    expect(await prisma().outboxEmail.count()).toBe(outbox)
    expect(await prisma().notification.count()).toBe(notifications)
    // The existing conversation stays as it was.
    expect((await prisma().conversation.findUniqueOrThrow({ where: { id: conversation.id } })).status).toBe(conversation.status)
    // Taken up again (the recovery, a second delivery attempt), a held e-mail stays held.
    expect((await processInboundMessage(app.ctx.domain, fresh.id)).status).toBe('processed')
    expect((await prisma().inboundMessage.findUniqueOrThrow({ where: { id: fresh.id } })).status).toBe('blocked')

    const { rows } = await listHeldMessages(app.ctx.domain, admin)
    expect(rows.map((r) => [r.id, r.from])).toEqual([
      [reply.id, 'sales@watches.example'],
      [fresh.id, 'promo@watches.example'],
    ])
  })

  it('"Not spam" unblocks the sender and takes the e-mail in again, into a conversation', async () => {
    const held = await receive(email('sales@watches.example', 'Actually a real question'))
    expect((await prisma().inboundMessage.findUniqueOrThrow({ where: { id: held.id } })).status).toBe('blocked')
    const { customerId } = await markNotSpam(app.ctx.domain, admin, { inboundId: held.id })
    expect((await prisma().customer.findUniqueOrThrow({ where: { id: customerId! } })).blockedAt).toBeNull()
    expect(await prisma().auditEvent.count({ where: { action: 'customer.unblocked', targetId: String(customerId) } })).toBe(1)
    const outcome = await processInboundMessage(app.ctx.domain, held.id, undefined, { again: true })
    expect(outcome).toMatchObject({ status: 'processed' })
    const row = await prisma().inboundMessage.findUniqueOrThrow({ where: { id: held.id } })
    expect(row.status).toBe('processed')
    const conversation = await prisma().conversation.findUniqueOrThrow({ where: { id: row.conversationId! } })
    expect(conversation).toMatchObject({ subject: 'Actually a real question', customerId })
  })
})
