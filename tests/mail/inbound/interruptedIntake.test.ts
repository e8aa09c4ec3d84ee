import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Prisma } from '../../../src/db/database.ts'
import { processInboundMessage, storeRawMessage } from '../../../src/mail/inbound/intake.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

const email = (messageId: string, subject: string) =>
  Buffer.from(
    [
      'From: Lin <lin@customer.example>',
      'To: help@acme.example',
      `Subject: ${subject}`,
      'Date: Tue, 01 Dec 2026 10:00:00 +0000',
      `Message-ID: ${messageId}`,
      '',
      'Text',
      '',
    ].join('\r\n'),
  )

/** An e-mail is one message and one conversation, whatever interrupts or races its processing. */
describe('the intake taken again or twice at once', () => {
  let app: TestApp
  const prisma = () => app.ctx.db.prisma
  beforeAll(async () => {
    app = await startTestApp()
  })
  afterAll(async () => {
    await app?.close()
  })

  it('does not add a message twice when the recovery takes a row whose message committed before a crash', async () => {
    const id = await storeRawMessage(prisma(), { source: 'smtp', raw: email('<once@customer.example>', 'Broken lamp'), envelopeTo: ['help@acme.example'] })
    expect((await processInboundMessage(app.ctx.domain, id)).status).toBe('processed')
    // What a SIGKILL leaves between the message's commit and the row's status, a minute later.
    await prisma().inboundMessage.update({
      where: { id },
      data: { status: 'received', processedAt: null, conversationId: null, note: null, claimedAt: new Date(Date.now() - 61_000) },
    })
    const again = await processInboundMessage(app.ctx.domain, id)
    expect(again.status).toBe('processed')
    expect(await prisma().message.count({ where: { inboundId: id } })).toBe(1)
    expect(await prisma().conversation.count({ where: { subject: 'Broken lamp' } })).toBe(1)
  })

  it('keeps one message when two copies of an e-mail are processed at the same moment', async () => {
    const raw = email('<dup1@customer.example>', 'Lost parcel')
    const a = await storeRawMessage(prisma(), { source: 'smtp', raw, envelopeTo: ['help@acme.example'] })
    const b = await storeRawMessage(prisma(), { source: 'smtp', raw, envelopeTo: ['help@acme.example'] })
    // Worker B is held right after its first duplicate check (at its outbox look-up) while A runs.
    let reached!: () => void
    const atGate = new Promise<void>((resolve) => (reached = resolve))
    let open!: () => void
    const gate = new Promise<void>((resolve) => (open = resolve))
    const outbox = new Proxy(prisma().outboxEmail, {
      get: (target, key) =>
        key === 'findUnique'
          ? async (...args: unknown[]) => (reached(), await gate, (target.findUnique as (...a: unknown[]) => unknown)(...args))
          : Reflect.get(target, key),
    })
    const held = new Proxy(prisma(), { get: (target, key) => (key === 'outboxEmail' ? outbox : Reflect.get(target, key)) }) as Prisma
    const workerB = processInboundMessage({ ...app.ctx.domain, prisma: held }, b)
    await atGate
    expect((await processInboundMessage(app.ctx.domain, a)).status).toBe('processed')
    open()
    expect((await workerB).status).toBe('processed')
    expect(await prisma().message.count({ where: { emailMessageId: '<dup1@customer.example>' } })).toBe(1)
    expect(await prisma().message.count({ where: { conversation: { subject: 'Lost parcel' } } })).toBe(1)
    expect(await prisma().conversation.count({ where: { subject: 'Lost parcel' } })).toBe(1)
  })
})
