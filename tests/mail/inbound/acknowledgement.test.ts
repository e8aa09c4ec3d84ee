import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { receiveRawMessage } from '../../../src/mail/inbound/intake.ts'
import { ACKNOWLEDGEMENTS_PER_ADDRESS_PER_DAY, DEFAULT_ACKNOWLEDGEMENT } from '../../../src/domain/conversations/commands/startCustomerConversation.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

let n = 0
function email(from: string, subject: string, extra: string[] = [], messageId = `<ack-${++n}@customer.example>`) {
  return Buffer.from(
    [`From: ${from}`, 'To: help@acme.example', `Subject: ${subject}`, `Message-ID: ${messageId}`, ...extra, '', 'Please help me with my order.', ''].join(
      '\r\n',
    ),
  )
}

describe('acknowledging a new request by e-mail', () => {
  let app: TestApp
  const prisma = () => app.ctx.db.prisma
  const receive = (raw: Buffer, envelopeFrom: string | null = 'someone@customer.example') =>
    receiveRawMessage(app.ctx.domain, { source: 'smtp', raw, envelopeFrom, envelopeTo: ['help@acme.example'] })
  const acks = (to: string) => prisma().outboxEmail.findMany({ where: { kind: 'confirmation', toAddress: to }, orderBy: { id: 'asc' } })

  beforeAll(async () => {
    app = await startTestApp({ MAIL_FROM: 'Acme Support <help@acme.example>' })
  })
  afterAll(async () => {
    await app?.close()
  })

  it('answers a new request with its number and status page, quoting nothing the sender chose; a reply to it threads back', async () => {
    const { outcome } = await receive(email('"Win a prize at evil.example" <lin@customer.example>', 'Click https://evil.example now'))
    expect(outcome.status).toBe('processed')
    const conversation = await prisma().conversation.findFirstOrThrow({ where: { customer: { email: 'lin@customer.example' } } })
    const [ack, more] = await acks('lin@customer.example')
    expect(more).toBeUndefined()
    expect(ack!.subject).toBe(`We received your request [#${conversation.number}]`)
    expect(ack!.text).toContain(DEFAULT_ACKNOWLEDGEMENT)
    expect(ack!.text).toMatch(/\/s\/\d+\.[\w-]{22}/)
    for (const body of [ack!.text, ack!.html, ack!.subject]) expect(body).not.toMatch(/evil\.example|prize|order/)
    expect(ack!.headers).toMatchObject({ 'Auto-Submitted': 'auto-generated' })
    expect((ack!.headers as Record<string, string>)['Reply-To']).toMatch(new RegExp(`^help\\+c${conversation.id}-`))

    await receive(email('lin@customer.example', 'Re: We received your request', [`In-Reply-To: ${ack!.messageId}`], '<ack-reply@customer.example>'))
    expect((await prisma().message.findUniqueOrThrow({ where: { emailMessageId: '<ack-reply@customer.example>' } })).conversationId).toBe(conversation.id)
  })

  it('sends nothing to a robot: a mailing list, a no-reply address, an empty envelope sender', async () => {
    await receive(email('News <news@shop.example>', 'Our weekly offers', ['List-Id: <offers.shop.example>', 'List-Unsubscribe: <https://shop.example/u>']))
    await receive(email('Shop <no-reply@shop.example>', 'Your order shipped'))
    await receive(email('Alerts <monitor@shop.example>', 'Disk full'), '')
    for (const sender of ['news@shop.example', 'no-reply@shop.example', 'monitor@shop.example']) {
      expect(await prisma().conversation.count({ where: { customer: { email: sender } } }), sender).toBe(1)
      expect(await acks(sender), sender).toEqual([])
    }
  })

  it('follows the folder: its own text, or none when turned off', async () => {
    const own = await prisma().folder.create({
      data: { name: 'Sales', inboundAddress: 'sales@acme.example', acknowledgementText: 'Merci ! We answer within two working days.' },
    })
    const quiet = await prisma().folder.create({ data: { name: 'Quiet', inboundAddress: 'quiet@acme.example', acknowledge: false } })
    const to = (address: string, from: string) => Buffer.from(email(from, 'Question').toString().replace('To: help@acme.example', `To: ${address}`))
    await receiveRawMessage(app.ctx.domain, {
      source: 'smtp',
      raw: to('sales@acme.example', 'kim@customer.example'),
      envelopeFrom: 'kim@customer.example',
      envelopeTo: ['sales@acme.example'],
    })
    await receiveRawMessage(app.ctx.domain, {
      source: 'smtp',
      raw: to('quiet@acme.example', 'max@customer.example'),
      envelopeFrom: 'max@customer.example',
      envelopeTo: ['quiet@acme.example'],
    })
    expect((await prisma().conversation.findFirstOrThrow({ where: { customer: { email: 'kim@customer.example' } } })).folderId).toBe(own.id)
    const [ack] = await acks('kim@customer.example')
    expect(ack!.text).toContain('Merci ! We answer within two working days.')
    expect(ack!.text).not.toContain(DEFAULT_ACKNOWLEDGEMENT)
    expect((ack!.headers as Record<string, string>)['Reply-To']).toMatch(/^sales\+c\d+-/)
    expect((await prisma().conversation.findFirstOrThrow({ where: { customer: { email: 'max@customer.example' } } })).folderId).toBe(quiet.id)
    expect(await acks('max@customer.example')).toEqual([])
  })

  it(`acknowledges at most ${ACKNOWLEDGEMENTS_PER_ADDRESS_PER_DAY} requests of one address a day; every request is kept`, async () => {
    for (let i = 0; i < ACKNOWLEDGEMENTS_PER_ADDRESS_PER_DAY + 2; i++) await receive(email('ana@customer.example', `Request ${i}`))
    expect(await prisma().conversation.count({ where: { customer: { email: 'ana@customer.example' } } })).toBe(ACKNOWLEDGEMENTS_PER_ADDRESS_PER_DAY + 2)
    expect(await acks('ana@customer.example')).toHaveLength(ACKNOWLEDGEMENTS_PER_ADDRESS_PER_DAY)
  })
})
