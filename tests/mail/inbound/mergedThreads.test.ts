import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../src/domain/actor.ts'
import { mergeConversations } from '../../../src/domain/conversations/commands/mergeConversations.ts'
import { replyAsAgent } from '../../../src/domain/conversations/commands/replyAsAgent.ts'
import { receiveRawMessage } from '../../../src/mail/inbound/intake.ts'
import { customerToken } from '../../../src/mail/customerLinks.ts'
import { replyAddressFor } from '../../../src/mail/replyAddress.ts'
import { buildAgent, buildConversation, buildFolder } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

let n = 0
function email(from: string, to: string, subject: string, extra: string[] = []) {
  const messageId = `<merged-${++n}-${Date.now()}@customer.example>`
  const raw = Buffer.from(
    [`From: ${from}`, `To: ${to}`, `Subject: ${subject}`, `Message-ID: ${messageId}`, ...extra, '', `Reply number ${n}.`, ''].join('\r\n'),
  )
  return { raw, messageId }
}

describe('mail to a merged conversation arrives in the survivor', () => {
  let app: TestApp
  let ada: Actor
  let folderId: number
  const prisma = () => app.ctx.db.prisma
  const receive = (raw: Buffer, to = 'help@acme.example') =>
    receiveRawMessage(app.ctx.domain, { source: 'smtp', raw, envelopeFrom: 'lin@customer.example', envelopeTo: [to] })
  const conversationOf = async (messageId: string) => (await prisma().message.findUniqueOrThrow({ where: { emailMessageId: messageId } })).conversationId

  beforeAll(async () => {
    app = await startTestApp({ MAIL_FROM: 'Acme Support <help@acme.example>' })
    folderId = (await buildFolder(prisma(), 'Support')).id
    ada = await buildAgent(prisma(), { name: 'Ada', folderIds: [folderId] })
  })
  afterAll(async () => {
    await app?.close()
  })

  /** Two conversations of lin@customer.example, each with a reply sent to her; the first merged into the second. */
  async function mergedPair() {
    const customerEmail = 'lin@customer.example'
    const source = await buildConversation(app.ctx.domain, ada, { folderId, customerEmail, subject: 'Lamp broken' })
    const target = await buildConversation(app.ctx.domain, ada, { folderId, customerEmail, subject: 'Lamp order' })
    const reply = await replyAsAgent(app.ctx.domain, ada, { conversationId: source.id, text: 'Could you send a photo?' })
    const outbox = await prisma().outboxEmail.findFirstOrThrow({ where: { conversationId: source.id, kind: 'agent_reply' } })
    await mergeConversations(app.ctx.domain, ada, { sourceId: source.id, targetId: target.id })
    return { source, target, reply, outbox }
  }

  it('threads a reply to the merged conversation’s Message-ID into the survivor; the merged one stays closed', async () => {
    const { source, target, outbox } = await mergedPair()
    const answer = email('Lin <lin@customer.example>', 'help@acme.example', `Re: Lamp broken [#${source.number}]`, [`In-Reply-To: ${outbox.messageId}`])
    await receive(answer.raw)
    expect(await conversationOf(answer.messageId)).toBe(target.id)
    expect((await prisma().conversation.findUniqueOrThrow({ where: { id: source.id } })).status).toBe('closed')
    expect(await prisma().conversation.count({ where: { customer: { email: 'lin@customer.example' }, createdAt: { gt: target.createdAt } } })).toBe(0)
  })

  it('threads one by the merged conversation’s subject number into the survivor', async () => {
    const { source, target } = await mergedPair()
    const answer = email('Lin <lin@customer.example>', 'help@acme.example', `Re: Lamp broken [#${source.number}]`)
    await receive(answer.raw)
    expect(await conversationOf(answer.messageId)).toBe(target.id)
  })

  it('threads one to the merged conversation’s reply address into the survivor', async () => {
    const { source, target } = await mergedPair()
    const to = replyAddressFor('help@acme.example', app.ctx.domain.mail.secret, source.id)
    const answer = email('Lin <lin@customer.example>', to, 'A question without a number')
    await receive(answer.raw, to)
    expect(await conversationOf(answer.messageId)).toBe(target.id)
  })

  it('shows the survivor on the merged conversation’s status page', async () => {
    const { source, target } = await mergedPair()
    const res = await request(app.url).get(`/s/${customerToken(app.ctx.domain.mail.secret, 'status', source.id)}`)
    expect(res.status).toBe(200)
    expect(res.text).toContain(`#${target.number}`)
    expect(res.text).toContain('Could you send a photo?')
  })
})
