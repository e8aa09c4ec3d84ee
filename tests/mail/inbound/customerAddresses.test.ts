import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../src/domain/actor.ts'
import { addCustomerAddress } from '../../../src/domain/customers/updateCustomer.ts'
import { receiveRawMessage } from '../../../src/mail/inbound/intake.ts'
import { buildAgent, buildConversation, buildFolder } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

let n = 0
const email = (from: string, subject: string) =>
  Buffer.from(
    [
      `From: ${from}`,
      'To: help@acme.example',
      `Subject: ${subject}`,
      `Message-ID: <addr-${++n}@home.example>`,
      '',
      'It is me again, from my other address.',
      '',
    ].join('\r\n'),
  )

describe('a customer writing from another of their addresses', () => {
  let app: TestApp
  let admin: Actor
  const prisma = () => app.ctx.db.prisma
  const receive = (raw: Buffer) => receiveRawMessage(app.ctx.domain, { source: 'smtp', raw, envelopeTo: ['help@acme.example'] })

  beforeAll(async () => {
    app = await startTestApp()
    admin = await buildAgent(prisma(), { role: 'admin' })
  })
  afterAll(async () => {
    await app?.close()
  })

  it('is the same customer: a new request is theirs, and "[#number]" in the subject threads into their conversation', async () => {
    const folder = await buildFolder(prisma(), 'Support')
    const c = await buildConversation(app.ctx.domain, admin, { folderId: folder.id, customerEmail: 'noor@work.example', subject: 'Printer jam' })
    await addCustomerAddress(app.ctx.domain, admin, { customerId: c.customerId, email: 'noor@home.example' })

    const fresh = await receive(email('Noor <noor@home.example>', 'Another question'))
    const created = await prisma().conversation.findUniqueOrThrow({ where: { id: (fresh.outcome as { conversationId: number }).conversationId } })
    expect(created.customerId).toBe(c.customerId)

    const reply = await receive(email('noor@home.example', `Re: Printer jam [#${c.number}]`))
    expect(reply.outcome).toMatchObject({ status: 'processed', conversationId: c.id })
    expect(await prisma().customer.count({ where: { email: 'noor@home.example' } })).toBe(0)
  })
})
