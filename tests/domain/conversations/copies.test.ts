import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../src/domain/actor.ts'
import type { DomainContext } from '../../../src/domain/context.ts'
import { addInternalComment } from '../../../src/domain/conversations/commands/addInternalComment.ts'
import { forwardConversation } from '../../../src/domain/conversations/commands/forwardConversation.ts'
import { replyAsAgent } from '../../../src/domain/conversations/commands/replyAsAgent.ts'
import { NotFoundError, ValidationError } from '../../../src/domain/errors.ts'
import { receiveRawMessage } from '../../../src/mail/inbound/intake.ts'
import { renderPendingEmails } from '../../../src/mail/outbound/renderOutbox.ts'
import { buildAgent, buildConversation, buildFolder, testClock } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

const FOLDER_ADDRESS = 'billing@acme.example'

describe('copies (Cc/Bcc) and forwarding', () => {
  const time = testClock()
  let app: TestApp
  let ctx: DomainContext
  let ada: Actor
  let outsider: Actor
  let folderId: number

  beforeAll(async () => {
    // No SMTP server: e-mails stay in the outbox, where the tests read them.
    app = await startTestApp({}, { clock: time.clock })
    ctx = app.ctx.domain
    folderId = (await ctx.prisma.folder.create({ data: { name: 'Billing', inboundAddress: FOLDER_ADDRESS } })).id
    ada = await buildAgent(ctx.prisma, { name: 'Ada', folderIds: [folderId] })
    outsider = await buildAgent(ctx.prisma, { name: 'Otto', folderIds: [(await buildFolder(ctx.prisma)).id] })
  })
  afterAll(async () => {
    await app?.close()
  })

  const prisma = () => ctx.prisma
  const conversationNow = (id: number) => prisma().conversation.findUniqueOrThrow({ where: { id } })
  const historyOf = async (conversationId: number, type: string) =>
    (await prisma().historyEvent.findMany({ where: { conversationId, type }, orderBy: { id: 'asc' } })).map((h) => ({ actor: h.actorKind, data: h.data }))
  const outboxOf = (emailMessageId: string | null) => prisma().outboxEmail.findUniqueOrThrow({ where: { messageId: emailMessageId ?? '' } })
  const newConversation = (customerEmail = `casey-${Math.random().toString(36).slice(2)}@example.com`) =>
    buildConversation(ctx, ada, { folderId, customerEmail })

  /** An e-mail as a customer's mail program sends it to the help desk. */
  function email(o: { from: string; to?: string; cc?: string; subject: string; text?: string; messageId?: string }) {
    return Buffer.from(
      [
        `From: ${o.from}`,
        `To: ${o.to ?? FOLDER_ADDRESS}`,
        ...(o.cc ? [`Cc: ${o.cc}`] : []),
        `Subject: ${o.subject}`,
        `Message-ID: <${o.messageId ?? `${Math.random().toString(36).slice(2)}@mail.example`}>`,
        'Date: Mon, 04 Jan 2027 10:00:00 +0000',
        'Content-Type: text/plain; charset=utf-8',
        '',
        o.text ?? 'Hello, please see below.',
        '',
      ].join('\r\n'),
    )
  }
  const receive = async (raw: Buffer) => {
    const { outcome } = await receiveRawMessage(ctx, { source: 'http', raw, envelopeTo: [FOLDER_ADDRESS] })
    if (outcome.status !== 'processed') throw new Error(`not processed: ${JSON.stringify(outcome)}`)
    return outcome.conversationId!
  }

  describe('a reply with copies', () => {
    it('sends Cc and Bcc with the reply, and keeps them on the conversation for the next reply', async () => {
      const c = await newConversation()
      const first = await replyAsAgent(ctx, ada, {
        conversationId: c.id,
        text: 'Adding your colleague.',
        cc: 'Boss@Example.com, accounts@example.com',
        bcc: 'audit@example.com',
      })
      expect(first.message).toMatchObject({ cc: ['boss@example.com', 'accounts@example.com'], bcc: ['audit@example.com'] })
      expect(await outboxOf(first.message.emailMessageId)).toMatchObject({ cc: ['boss@example.com', 'accounts@example.com'], bcc: ['audit@example.com'] })
      expect(await conversationNow(c.id)).toMatchObject({ cc: ['boss@example.com', 'accounts@example.com'], bcc: ['audit@example.com'] })
      expect(await historyOf(c.id, 'copies.changed')).toEqual([
        { actor: 'agent', data: { cc: ['boss@example.com', 'accounts@example.com'], bcc: ['audit@example.com'] } },
      ])

      // The next reply, from a form that says nothing of copies, goes to the same people; nothing changed, nothing recorded.
      const second = await replyAsAgent(ctx, ada, { conversationId: c.id, text: 'And a tracking number.' })
      expect(second.message).toMatchObject({ cc: ['boss@example.com', 'accounts@example.com'], bcc: ['audit@example.com'] })
      expect(await outboxOf(second.message.emailMessageId)).toMatchObject({ cc: ['boss@example.com', 'accounts@example.com'], bcc: ['audit@example.com'] })
      expect(await historyOf(c.id, 'copies.changed')).toHaveLength(1)

      // Emptied in the form: no copies from now on.
      const third = await replyAsAgent(ctx, ada, { conversationId: c.id, text: 'Just you now.', cc: '', bcc: '' })
      expect(third.message).toMatchObject({ cc: [], bcc: [] })
      expect(await conversationNow(c.id)).toMatchObject({ cc: [], bcc: [] })
      expect(await historyOf(c.id, 'copies.changed')).toHaveLength(2)
    })

    it('lower-cases, keeps each address once, drops the customer (already in To) and whoever is in Cc from Bcc', async () => {
      const customer = `dana-${Date.now()}@example.com`
      const c = await newConversation(customer)
      const sent = await replyAsAgent(ctx, ada, {
        conversationId: c.id,
        text: 'Copies.',
        cc: `a@example.com a@example.com; ${customer.toUpperCase()},Lee <lee@example.com>`,
        bcc: 'a@example.com b@example.com',
      })
      expect(sent.message).toMatchObject({ cc: ['a@example.com', 'lee@example.com'], bcc: ['b@example.com'] })
    })

    it('refuses a malformed address or too many, naming the problem, and sends nothing', async () => {
      const c = await newConversation()
      const before = await prisma().message.count({ where: { conversationId: c.id } })
      const refused = await replyAsAgent(ctx, ada, { conversationId: c.id, text: 'Hi', cc: 'good@example.com, not-an-address' }).catch((e: unknown) => e)
      expect(refused).toBeInstanceOf(ValidationError)
      expect(JSON.stringify((refused as ValidationError).fields.cc)).toContain('not-an-address')

      const many = Array.from({ length: 21 }, (_, i) => `p${i}@example.com`).join(', ')
      const tooMany = await replyAsAgent(ctx, ada, { conversationId: c.id, text: 'Hi', bcc: many }).catch((e: unknown) => e)
      expect(tooMany).toBeInstanceOf(ValidationError)
      expect((tooMany as ValidationError).fields.bcc).toMatchObject({ key: 'validation.copies.tooMany', values: { max: 20 } })
      expect(await prisma().message.count({ where: { conversationId: c.id } })).toBe(before)
      expect(await conversationNow(c.id)).toMatchObject({ cc: [], bcc: [] })
    })
  })

  describe('copies on inbound mail', () => {
    it("keeps a customer's Cc on the message and the conversation, without the help desk's own addresses", async () => {
      const id = await receive(
        email({
          from: 'Carla <carla@customer.example>',
          cc: `Boss <boss@customer.example>, ${FOLDER_ADDRESS}, ${ctx.mail.supportAddress}, Carla@customer.example`,
          subject: 'Invoice 42 is wrong',
        }),
      )
      const [message] = await prisma().message.findMany({ where: { conversationId: id } })
      expect(message!.cc).toEqual(['boss@customer.example'])
      expect(await conversationNow(id)).toMatchObject({ cc: ['boss@customer.example'] })
      expect(await historyOf(id, 'copies.changed')).toEqual([{ actor: 'system', data: { cc: ['boss@customer.example'], bcc: [] } }])

      // The agent's reply goes to the customer with the boss in copy.
      const reply = await replyAsAgent(ctx, ada, { conversationId: id, text: 'We are looking into it.' })
      expect(await outboxOf(reply.message.emailMessageId)).toMatchObject({ toAddress: 'carla@customer.example', cc: ['boss@customer.example'] })
    })

    it("a reply from the person in Cc threads in by the subject's number and is theirs in the thread", async () => {
      const id = await receive(email({ from: 'Carl <carl@shop.example>', cc: 'Maria Boss <maria@shop.example>', subject: 'Broken lamp' }))
      const { number } = await conversationNow(id)
      // No In-Reply-To, no reply address: only "[#n]" in the subject, from the person in copy.
      const again = await receive(
        email({ from: 'Maria Boss <maria@shop.example>', subject: `Re: [#${number}] Broken lamp`, text: 'I confirm the lamp is broken.' }),
      )
      expect(again).toBe(id)
      const last = await prisma().message.findFirstOrThrow({ where: { conversationId: id }, orderBy: { id: 'desc' }, include: { customer: true } })
      expect(last).toMatchObject({
        kind: 'customer',
        bodyText: expect.stringContaining('I confirm'),
        customer: { email: 'maria@shop.example', name: 'Maria Boss' },
      })

      // A stranger quoting the number still starts a conversation of their own.
      const stranger = await receive(email({ from: 'eve@elsewhere.example', subject: `Re: [#${number}] Broken lamp` }))
      expect(stranger).not.toBe(id)
    })
  })

  describe('forwarding', () => {
    it('writes one outbox e-mail with the note and the public messages, never an internal comment', async () => {
      const c = await newConversation()
      await addInternalComment(ctx, ada, { conversationId: c.id, text: 'SECRET: this customer is difficult.' })
      await replyAsAgent(ctx, ada, { conversationId: c.id, text: 'Your lamp ships tomorrow.' })
      const before = await prisma().outboxEmail.count()
      const { email: row } = await forwardConversation(ctx, ada, {
        conversationId: c.id,
        to: 'Supplier@Lamps.example, warehouse@lamps.example',
        note: 'Can you check stock for this one?',
      })
      expect(await prisma().outboxEmail.count()).toBe(before + 1)
      expect(row).toMatchObject({ kind: 'forward', toAddress: 'supplier@lamps.example', cc: ['warehouse@lamps.example'] })
      expect(row.subject).toBe(`Fwd: ${c.subject} [#${c.number}]`)
      expect(await historyOf(c.id, 'conversation.forwarded')).toEqual([
        { actor: 'agent', data: { to: ['supplier@lamps.example', 'warehouse@lamps.example'], messageId: null } },
      ])

      await renderPendingEmails(prisma())
      const rendered = await prisma().outboxEmail.findUniqueOrThrow({ where: { id: row.id } })
      for (const part of [rendered.text, rendered.html]) {
        expect(part).toContain('Can you check stock for this one?')
        expect(part).toContain('I ordered a lamp two weeks ago')
        expect(part).toContain('Your lamp ships tomorrow.')
        expect(part).not.toContain('SECRET')
      }
      expect(rendered.text.indexOf('Can you check stock')).toBeLessThan(rendered.text.indexOf('I ordered a lamp'))
    })

    it('forwards one message with its files; refuses a comment, an empty address and an agent outside the folder', async () => {
      const c = await newConversation()
      const reply = await replyAsAgent(ctx, ada, {
        conversationId: c.id,
        text: 'Here is the invoice.',
        files: [{ fileName: 'invoice.txt', data: Buffer.from('Lamp, 1 × 49 €') }],
      })
      const comment = await addInternalComment(ctx, ada, { conversationId: c.id, text: 'Internal only' })
      const { email: row } = await forwardConversation(ctx, ada, { conversationId: c.id, messageId: reply.message.id, to: 'accounting@example.org' })
      await renderPendingEmails(prisma())
      const rendered = await prisma().outboxEmail.findUniqueOrThrow({ where: { id: row.id } })
      expect(rendered.text).toContain('Here is the invoice.')
      expect(rendered.text).toContain('invoice.txt')
      expect(rendered.text).not.toContain('I ordered a lamp')
      expect(rendered.attachments).toMatchObject([{ fileName: 'invoice.txt' }])

      await expect(forwardConversation(ctx, ada, { conversationId: c.id, messageId: comment.message.id, to: 'x@example.org' })).rejects.toBeInstanceOf(
        NotFoundError,
      )
      await expect(forwardConversation(ctx, ada, { conversationId: c.id, to: '' })).rejects.toBeInstanceOf(ValidationError)
      await expect(forwardConversation(ctx, outsider, { conversationId: c.id, to: 'x@example.org' })).rejects.toBeInstanceOf(NotFoundError)
    })
  })
})
