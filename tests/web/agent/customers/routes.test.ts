import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../../src/domain/actor.ts'
import { receiveRawMessage } from '../../../../src/mail/inbound/intake.ts'
import { buildAgent, buildConversation, buildFolder, PASSWORD } from '../../../helpers/factories.ts'
import { csrfFrom, signIn, startTestApp, type TestApp } from '../../../helpers/testApp.ts'

describe('customer pages', () => {
  let app: TestApp
  let admin: Actor
  let insider: Actor
  let outsider: Actor
  let seenId: number
  let hiddenId: number
  const prisma = () => app.ctx.db.prisma

  beforeAll(async () => {
    app = await startTestApp()
    const support = await buildFolder(prisma(), 'Support')
    const billing = await buildFolder(prisma(), 'Billing')
    admin = await buildAgent(prisma(), { role: 'admin' })
    insider = await buildAgent(prisma(), { folderIds: [support.id, billing.id] })
    outsider = await buildAgent(prisma(), { folderIds: [support.id] })
    const seen = await buildConversation(app.ctx.domain, admin, {
      folderId: support.id,
      customerEmail: 'seen@example.org',
      customerName: 'Seen Person',
      subject: 'Lamp order',
    })
    await buildConversation(app.ctx.domain, admin, { folderId: billing.id, customerEmail: 'seen@example.org', subject: 'Invoice question' })
    const hidden = await buildConversation(app.ctx.domain, admin, {
      folderId: billing.id,
      customerEmail: 'hidden@example.org',
      customerName: 'Hidden Person',
      subject: 'Refund',
    })
    seenId = seen.customerId
    hiddenId = hidden.customerId
  })
  afterAll(async () => {
    await app?.close()
  })

  const as = async (agent: Actor) => {
    const { client } = await signIn(app, agent.email, PASSWORD)
    const token = csrfFrom((await client.get('/customers')).text)
    return { client, token }
  }

  it('shows an agent only customers with a conversation in their folders, and on a profile only those conversations', async () => {
    const { client } = await as(outsider)
    const list = await client.get('/customers')
    expect(list.status).toBe(200)
    expect(list.text).toContain('Seen Person')
    expect(list.text).not.toContain('Hidden Person')
    expect((await client.get('/customers?q=hidden')).text).not.toContain('Hidden Person')
    const profile = await client.get(`/customers/${seenId}`)
    expect(profile.text).toContain('Lamp order')
    expect(profile.text).not.toContain('Invoice question')
    expect((await client.get(`/customers/${hiddenId}`)).status).toBe(404)
  })

  it('refuses every change to a customer the agent cannot see, and changes nothing', async () => {
    const { client, token } = await as(outsider)
    const before = JSON.stringify(await prisma().customer.findUniqueOrThrow({ where: { id: hiddenId }, include: { addresses: true } }))
    const address = await prisma().customerAddress.findFirstOrThrow({ where: { customerId: hiddenId } })
    for (const [path, body] of [
      [`/customers/${hiddenId}`, { name: 'Changed', organisation: 'X', notes: 'x' }],
      [`/customers/${hiddenId}/addresses`, { email: 'new@example.org' }],
      [`/customers/${hiddenId}/addresses/${address.id}/remove`, {}],
      [`/customers/${hiddenId}/merge`, { duplicateEmail: 'seen@example.org' }],
      [`/customers/${seenId}/merge`, { duplicateEmail: 'hidden@example.org' }],
      [`/customers/${hiddenId}/block`, {}],
    ] as const) {
      const res = await client
        .post(path)
        .type('form')
        .send({ _csrf: token, ...body })
      expect(res.status, path).toBe(404)
      expect(res.text).not.toContain('Hidden Person')
    }
    expect(JSON.stringify(await prisma().customer.findUniqueOrThrow({ where: { id: hiddenId }, include: { addresses: true } }))).toBe(before)
    // The spam view is for admins.
    expect((await client.get('/spam')).status).toBe(403)
  })

  it('edits, adds an address (offering a merge when it is taken) and blocks, for an agent who sees the customer', async () => {
    const { client, token } = await as(insider)
    const saved = await client
      .post(`/customers/${seenId}`)
      .type('form')
      .send({ _csrf: token, name: 'Seen Person', organisation: 'Acme', notes: 'Calls at noon' })
    expect(saved.status).toBe(303)
    expect((await client.get(saved.headers.location!)).text).toContain('Customer saved.')
    const tooLong = await client
      .post(`/customers/${seenId}`)
      .type('form')
      .send({ _csrf: token, name: 'Seen Person', organisation: 'Acme', notes: 'n'.repeat(5001) })
    expect(tooLong.status).toBe(400)
    expect(tooLong.text).toContain('Use at most 5,000 characters')
    const taken = await client.post(`/customers/${seenId}/addresses`).type('form').send({ _csrf: token, email: 'hidden@example.org' })
    expect(taken.status).toBe(409)
    expect(taken.text).toContain('hidden@example.org belongs to another customer')
    expect(taken.text).toContain('name="duplicateEmail" value="hidden@example.org"')
    const bad = await client.post(`/customers/${seenId}/addresses`).type('form').send({ _csrf: token, email: 'not an address' })
    expect(bad.status).toBe(400)
    expect(bad.text).toContain('value="not an address"')
    expect((await client.post(`/customers/${seenId}/block`).type('form').send({ _csrf: token })).status).toBe(303)
    expect((await prisma().customer.findUniqueOrThrow({ where: { id: seenId } })).blockedAt).not.toBeNull()
    expect((await client.post(`/customers/${seenId}/unblock`).type('form').send({ _csrf: token })).status).toBe(303)
  })

  it('lets an admin see held mail in Spam and take it in with "Not spam"', async () => {
    const c = await buildConversation(app.ctx.domain, admin, { folderId: (await buildFolder(prisma(), 'Sales')).id, customerEmail: 'pest@example.org' })
    const { client, token } = await as(admin)
    await client.post(`/customers/${c.customerId}/block`).type('form').send({ _csrf: token })
    const raw = Buffer.from(
      ['From: Pest <pest@example.org>', 'To: help@acme.example', 'Subject: Please read this', 'Message-ID: <pest-1@example.org>', '', 'Hello again.', ''].join(
        '\r\n',
      ),
    )
    const { id } = await receiveRawMessage(app.ctx.domain, { source: 'http', raw, envelopeTo: ['help@acme.example'] })
    const spam = await client.get('/spam')
    expect(spam.status).toBe(200)
    expect(spam.text).toContain('pest@example.org')
    expect(spam.text).toContain('Please read this')
    const res = await client.post(`/spam/${id}/not-spam`).type('form').send({ _csrf: token })
    expect(res.status).toBe(303)
    const row = await prisma().inboundMessage.findUniqueOrThrow({ where: { id } })
    expect(row.status).toBe('processed')
    expect(row.conversationId).not.toBeNull()
    expect((await client.get('/spam')).text).not.toContain('Please read this')
  })
})
