import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { processInboundMessage, receiveRawMessage, storeRawMessage } from '../../../src/mail/inbound/intake.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

const email = (messageId: string, subject: string, inReplyTo?: string) =>
  Buffer.from(
    [
      'From: Lin <lin@customer.example>',
      'To: help@acme.example',
      `Subject: ${subject}`,
      `Message-ID: ${messageId}`,
      ...(inReplyTo ? [`In-Reply-To: ${inReplyTo}`, `References: ${inReplyTo}`] : []),
      '',
      `Text of ${messageId}`,
      '',
    ].join('\r\n'),
  )

/**
 * A message stored just before a crash (or still in another worker's hands) and a reply to it that
 * arrives meanwhile: one conversation, never two.
 */
describe('threading when a message answered is still waiting to be processed', () => {
  let app: TestApp
  const prisma = () => app.ctx.db.prisma
  const conversationOf = async (messageId: string) => (await prisma().message.findUniqueOrThrow({ where: { emailMessageId: messageId } })).conversationId
  const receive = (raw: Buffer) => receiveRawMessage(app.ctx.domain, { source: 'smtp', raw, envelopeTo: ['help@acme.example'] })

  beforeAll(async () => {
    app = await startTestApp()
  })
  afterAll(async () => {
    await app?.close()
  })

  it('processes the stored message first when a reply to it arrives, so both share a conversation', async () => {
    // Stored and acknowledged, then the process died before processing it.
    const parent = await storeRawMessage(prisma(), { source: 'smtp', raw: email('<p1@customer.example>', 'Broken lamp'), envelopeTo: ['help@acme.example'] })
    const { outcome } = await receive(email('<r1@customer.example>', 'Re: Broken lamp', '<p1@customer.example>'))
    expect(outcome.status).toBe('processed')
    expect((await prisma().inboundMessage.findUniqueOrThrow({ where: { id: parent } })).status).toBe('processed')
    expect(await conversationOf('<r1@customer.example>')).toBe(await conversationOf('<p1@customer.example>'))
    expect(await prisma().conversation.count({ where: { subject: { contains: 'Broken lamp' } } })).toBe(1)
  })

  it('waits for a message another worker holds, then threads after it', async () => {
    const parent = await storeRawMessage(
      prisma(),
      { source: 'smtp', raw: email('<p2@customer.example>', 'Late parcel'), envelopeTo: ['help@acme.example'] },
      { claimedAt: app.ctx.clock() },
    )
    const { id: reply, outcome } = await receive(email('<r2@customer.example>', 'Re: Late parcel', '<p2@customer.example>'))
    expect(outcome.status).toBe('deferred')
    expect(await prisma().inboundMessage.findUniqueOrThrow({ where: { id: reply } })).toMatchObject({ status: 'received', claimedAt: null })
    // The other worker is not overtaken while it holds the message.
    expect((await processInboundMessage(app.ctx.domain, parent)).status).toBe('deferred')

    // It finishes (here: its lease is given up and the message processed), then the recovery pass.
    await prisma().inboundMessage.update({ where: { id: parent }, data: { claimedAt: null } })
    expect(await app.ctx.intake.recover()).toBeGreaterThanOrEqual(2)
    await app.ctx.intake.drain()
    expect(await conversationOf('<r2@customer.example>')).toBe(await conversationOf('<p2@customer.example>'))
    expect(await prisma().conversation.count({ where: { subject: { contains: 'Late parcel' } } })).toBe(1)
  })

  it('recovers waiting messages at once, oldest first, not only after a minute', async () => {
    const first = await storeRawMessage(prisma(), { source: 'smtp', raw: email('<p3@customer.example>', 'Invoice'), envelopeTo: ['help@acme.example'] })
    const second = await storeRawMessage(prisma(), {
      source: 'smtp',
      raw: email('<r3@customer.example>', 'Re: Invoice', '<p3@customer.example>'),
      envelopeTo: ['help@acme.example'],
    })
    expect(await app.ctx.intake.recover()).toBe(2)
    await app.ctx.intake.drain()
    const rows = await prisma().inboundMessage.findMany({ where: { id: { in: [first, second] } }, orderBy: { id: 'asc' } })
    expect(rows.map((r) => r.status)).toEqual(['processed', 'processed'])
    expect(await conversationOf('<r3@customer.example>')).toBe(await conversationOf('<p3@customer.example>'))
  })
})
