import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { asCustomer, SYSTEM, type Actor } from '../../../src/domain/actor.ts'
import type { DomainContext } from '../../../src/domain/context.ts'
import { addCustomerMessage } from '../../../src/domain/conversations/commands/addCustomerMessage.ts'
import { replyAsAgent } from '../../../src/domain/conversations/commands/replyAsAgent.ts'
import { TooLateToWithdrawError, UNDO_SEND_MS, withdrawReply } from '../../../src/domain/conversations/commands/withdrawReply.ts'
import { ForbiddenError } from '../../../src/domain/errors.ts'
import { runLifecycleSweep } from '../../../src/domain/lifecycle/sweep.ts'
import { deliverDueEmails, type MailSender } from '../../../src/mail/outbound/delivery.ts'
import { buildAgent, buildConversation, buildFolder, testClock } from '../../helpers/factories.ts'
import { announceIfSkipped, NEEDS_POSTGRES, onPostgres } from '../../helpers/needsPostgres.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

// A 1×1 PNG, pasted into the editor.
const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='
const SECOND = 1000

describe('undo send: withdrawing a reply before its e-mail leaves', () => {
  const time = testClock()
  let app: TestApp
  let ctx: DomainContext
  let ada: Actor
  let bob: Actor
  let folderId: number

  beforeAll(async () => {
    // No SMTP server: nothing delivers in the background; the tests run delivery passes themselves.
    app = await startTestApp({}, { clock: time.clock })
    ctx = app.ctx.domain
    folderId = (await buildFolder(ctx.prisma, 'Support')).id
    ada = await buildAgent(ctx.prisma, { name: 'Ada', folderIds: [folderId] })
    bob = await buildAgent(ctx.prisma, { name: 'Bob', folderIds: [folderId] })
  })
  afterAll(async () => {
    await app?.close()
  })

  const prisma = () => ctx.prisma
  const conversationNow = (id: number) => prisma().conversation.findUniqueOrThrow({ where: { id } })
  const historyTypes = async (conversationId: number) =>
    (await prisma().historyEvent.findMany({ where: { conversationId }, orderBy: { id: 'asc' } })).map((h) => h.type)
  const outboxOf = (emailMessageId: string | null) => prisma().outboxEmail.findUnique({ where: { messageId: emailMessageId ?? '' } })
  /** What a reply changes on its conversation besides the thread. */
  const state = (c: Awaited<ReturnType<typeof conversationNow>>) => ({
    status: c.status,
    pendingSince: c.pendingSince,
    reminderSentAt: c.reminderSentAt,
    closedAt: c.closedAt,
    closedByKind: c.closedByKind,
    closedById: c.closedById,
    lastActivityAt: c.lastActivityAt,
    lastAgentReplyAt: c.lastAgentReplyAt,
    snippet: c.snippet,
  })
  const heldReply = (conversationId: number, input: { text?: string; html?: string; files?: { fileName: string; data: Buffer }[] } = {}, agent = ada) =>
    replyAsAgent(ctx, agent, { conversationId, text: 'We have sent a new lamp today.', holdForUndo: true, ...input })
  const newConversation = (status?: 'open' | 'pending' | 'closed') => buildConversation(ctx, ada, { folderId, ...(status ? { status } : {}) })

  it('a reply from the reply form waits in the outbox for the undo window; one sent any other way is due at once', async () => {
    const c = await newConversation()
    const held = await heldReply(c.id)
    expect(held.sendAfter).toEqual(new Date(time.clock().getTime() + UNDO_SEND_MS))
    expect(await outboxOf(held.message.emailMessageId)).toMatchObject({ status: 'queued', attempts: 0, nextAttemptAt: held.sendAfter })

    const atOnce = await replyAsAgent(ctx, ada, { conversationId: c.id, text: 'And a tracking number.' })
    expect(atOnce.sendAfter).toBeNull()
    expect((await outboxOf(atOnce.message.emailMessageId))!.nextAttemptAt.getTime()).toBeLessThanOrEqual(Date.now())
  })

  it('takes the reply back: message, files and e-mail gone, the conversation as it was, the words given back', async () => {
    const c = await newConversation()
    time.advance(60 * SECOND)
    const before = state(await conversationNow(c.id))
    const sent = await heldReply(c.id, {
      html: `<p>Here is the <strong>receipt</strong>:</p><p><img src="data:image/png;base64,${PNG_BASE64}"></p>`,
      files: [{ fileName: 'receipt.txt', data: Buffer.from('Lamp, 1 × 49 €') }],
    })
    const afterReply = await conversationNow(c.id)
    expect(afterReply.status).toBe('pending')
    time.advance(4 * SECOND)

    const withdrawn = await withdrawReply(ctx, ada, { conversationId: c.id, messageId: sent.message.id })

    expect(await prisma().message.findUnique({ where: { id: sent.message.id } })).toBeNull()
    expect(await prisma().attachment.count({ where: { messageId: sent.message.id } })).toBe(0)
    expect(await outboxOf(sent.message.emailMessageId)).toBeNull()
    const after = await conversationNow(c.id)
    expect(state(after)).toEqual(before)
    // The thread version never goes back (the traffic cop compares it).
    expect(after.messageCount).toBe(afterReply.messageCount)
    expect(await historyTypes(c.id)).toEqual(['conversation.created', 'attachment.added', 'reply.sent', 'status.changed', 'reply.withdrawn', 'status.changed'])
    const last = await prisma().historyEvent.findFirstOrThrow({ where: { conversationId: c.id }, orderBy: { id: 'desc' } })
    expect(last.data).toEqual({ from: 'pending', to: 'new' })

    expect(withdrawn.text).toContain('Here is the receipt')
    expect(withdrawn.html).toContain('<strong>receipt</strong>')
    // The pasted image comes back as itself: its stored copy is gone with the message.
    expect(withdrawn.html).toContain(`data:image/png;base64,${PNG_BASE64}`)
    expect(withdrawn.fileNames).toEqual(['receipt.txt'])
  })

  it('puts back the closing stamps of a closed conversation', async () => {
    const c = await newConversation('closed')
    const before = state(await conversationNow(c.id))
    expect(before.closedAt).not.toBeNull()
    time.advance(30 * SECOND)
    const sent = await heldReply(c.id)
    expect((await conversationNow(c.id)).closedAt).toBeNull()
    await withdrawReply(ctx, ada, { conversationId: c.id, messageId: sent.message.id })
    expect(state(await conversationNow(c.id))).toEqual(before)
  })

  it('puts back the pending period and its reminder, so the customer is not reminded twice', async () => {
    const c = await newConversation()
    await replyAsAgent(ctx, ada, { conversationId: c.id, text: 'Could you send a photo of the label?' })
    time.advanceDays(24)
    await runLifecycleSweep(ctx, SYSTEM)
    const before = state(await conversationNow(c.id))
    expect(before.reminderSentAt).not.toBeNull()
    const sent = await heldReply(c.id)
    expect(await conversationNow(c.id)).toMatchObject({ pendingSince: time.clock(), reminderSentAt: null })
    await withdrawReply(ctx, ada, { conversationId: c.id, messageId: sent.message.id })
    expect(state(await conversationNow(c.id))).toEqual(before)
    // The same status before and after: no status line in the history.
    expect((await historyTypes(c.id)).slice(-3)).toEqual(['reminder.sent', 'reply.sent', 'reply.withdrawn'])
  })

  it('leaves what came after the reply: a customer’s answer keeps the conversation open, in front, with its words', async () => {
    const c = await newConversation()
    const sent = await heldReply(c.id)
    time.advance(2 * SECOND)
    await addCustomerMessage(ctx, asCustomer(c.customerId), { conversationId: c.id, text: 'It still has not arrived.' })
    const answered = state(await conversationNow(c.id))
    expect(answered.status).toBe('open')
    time.advance(2 * SECOND)
    await withdrawReply(ctx, ada, { conversationId: c.id, messageId: sent.message.id })
    const after = state(await conversationNow(c.id))
    expect(after).toEqual({ ...answered, lastAgentReplyAt: null })
    expect(after.snippet).toBe('It still has not arrived.')
    expect((await historyTypes(c.id)).slice(-2)).toEqual(['status.changed', 'reply.withdrawn'])
  })

  it('gives the list back its previous snippet and activity when nothing followed', async () => {
    const c = await newConversation('open')
    const before = await conversationNow(c.id)
    time.advance(5 * SECOND)
    const sent = await heldReply(c.id, { text: 'Something I should not have written.' })
    expect((await conversationNow(c.id)).snippet).toBe('Something I should not have written.')
    await withdrawReply(ctx, ada, { conversationId: c.id, messageId: sent.message.id })
    const after = await conversationNow(c.id)
    expect(after.snippet).toBe(before.snippet)
    expect(after.lastActivityAt).toEqual(before.lastActivityAt)
    expect(after.status).toBe('open')
  })

  it('only its author may take a reply back; nothing changes for anyone else', async () => {
    const c = await newConversation()
    const sent = await heldReply(c.id)
    await expect(withdrawReply(ctx, bob, { conversationId: c.id, messageId: sent.message.id })).rejects.toBeInstanceOf(ForbiddenError)
    expect(await prisma().message.findUnique({ where: { id: sent.message.id } })).not.toBeNull()
    expect(await outboxOf(sent.message.emailMessageId)).toMatchObject({ status: 'queued' })
  })

  describe('too late: the e-mail has started to leave, and nothing changes', () => {
    const expectTooLate = async (conversationId: number, messageId: number) => {
      const before = await conversationNow(conversationId)
      await expect(withdrawReply(ctx, ada, { conversationId, messageId })).rejects.toBeInstanceOf(TooLateToWithdrawError)
      expect(await prisma().message.findUnique({ where: { id: messageId } })).not.toBeNull()
      expect(await conversationNow(conversationId)).toEqual(before)
      expect((await historyTypes(conversationId)).at(-1)).not.toBe('reply.withdrawn')
    }

    it('taken by a sender, or already sent', async () => {
      const c = await newConversation()
      const sending = await heldReply(c.id)
      await prisma().outboxEmail.update({ where: { messageId: sending.message.emailMessageId! }, data: { status: 'sending', attempts: 1 } })
      await expectTooLate(c.id, sending.message.id)
      const sent = await heldReply(c.id)
      await prisma().outboxEmail.update({ where: { messageId: sent.message.emailMessageId! }, data: { status: 'sent', attempts: 1, sentAt: time.clock() } })
      await expectTooLate(c.id, sent.message.id)
    })

    it('tried once already (a failed attempt may still have reached the customer)', async () => {
      const c = await newConversation()
      const sent = await heldReply(c.id)
      await prisma().outboxEmail.update({ where: { messageId: sent.message.emailMessageId! }, data: { attempts: 1, lastError: 'timeout after DATA' } })
      await expectTooLate(c.id, sent.message.id)
    })

    it('past the window (and its few seconds of grace), even with no mail server to take it', async () => {
      const c = await newConversation()
      const sent = await heldReply(c.id)
      time.advance(UNDO_SEND_MS + 6 * SECOND)
      await expectTooLate(c.id, sent.message.id)
    })

    it('a reply that was never held', async () => {
      const c = await newConversation()
      const sent = await replyAsAgent(ctx, ada, { conversationId: c.id, text: 'Sent at once.' })
      await expectTooLate(c.id, sent.message.id)
    })
  })

  it('never both sent and withdrawn: a delivery pass and Undo racing for the same e-mails', async () => {
    const replies = []
    for (let i = 0; i < 12; i++) {
      const c = await newConversation()
      replies.push({ conversationId: c.id, ...(await heldReply(c.id, { text: `Reply number ${i}` })) })
    }
    // Only these wait in the outbox (the earlier tests' e-mails are out of the way); due for the
    // sender, and still within Undo's grace.
    const ours = replies.map((r) => r.message.emailMessageId!)
    await prisma().outboxEmail.updateMany({ where: { messageId: { notIn: ours } }, data: { status: 'sent' } })
    time.advance(UNDO_SEND_MS + 2 * SECOND)
    const delivered: string[] = []
    const transport: MailSender = {
      async sendMail(message) {
        await sleep(5)
        delivered.push(String(message.messageId))
      },
    }
    // One e-mail per pass, pass after pass, while the Undos arrive: claims and withdrawals interleave.
    const passes = (async () => {
      while (
        (await deliverDueEmails({ prisma: prisma(), transport, clock: time.clock, logger: app.ctx.logger, from: 'Support <support@suivi.test>', batchSize: 1 }))
          .sent
      );
    })()
    // Once the first has gone, Undo for each, the last ones (which the passes reach last) first.
    const firstSent = expect.poll(() => delivered.length, { timeout: 10_000, interval: 1 }).toBeGreaterThan(0)
    const undos = replies.map(async (r, i) => {
      await firstSent
      await sleep(3 * (replies.length - 1 - i))
      return withdrawReply(ctx, ada, { conversationId: r.conversationId, messageId: r.message.id })
    })
    const [outcomes] = await Promise.all([Promise.allSettled(undos), passes])
    // Both sides won some (the interleaving is what is tested).
    expect(new Set(outcomes.map((o) => o.status))).toEqual(new Set(['fulfilled', 'rejected']))
    for (const [i, r] of replies.entries()) {
      const withdrawn = outcomes[i]!.status === 'fulfilled'
      const sent = delivered.includes(r.message.emailMessageId!)
      expect({ reply: i, withdrawn, sent }).toEqual({ reply: i, withdrawn: !sent, sent: !withdrawn })
      if (!withdrawn) expect((outcomes[i] as PromiseRejectedResult).reason).toBeInstanceOf(TooLateToWithdrawError)
      expect(await prisma().message.count({ where: { id: r.message.id } })).toBe(withdrawn ? 0 : 1)
    }
    // A second pass finds nothing left to send.
    expect(
      (await deliverDueEmails({ prisma: prisma(), transport, clock: time.clock, logger: app.ctx.logger, from: 'Support <support@suivi.test>' })).sent,
    ).toBe(0)
  })

  describe.skipIf(!onPostgres)(`row locks between Undo and the sender ${NEEDS_POSTGRES}`, () => {
    it('Undo waits for a sender’s claim in progress, then finds the e-mail taken: too late, nothing changed', async () => {
      const c = await newConversation()
      const sent = await heldReply(c.id)
      const before = await conversationNow(c.id)
      const sender = await app.ctx.db.pool.connect()
      try {
        await sender.query('BEGIN')
        await sender.query(`UPDATE outbox_emails SET status = 'sending', attempts = attempts + 1 WHERE "messageId" = $1`, [sent.message.emailMessageId])
        let settled = false
        const undo = withdrawReply(ctx, ada, { conversationId: c.id, messageId: sent.message.id }).finally(() => (settled = true))
        undo.catch(() => {})
        await sleep(300)
        expect(settled, 'Undo waits for the claim').toBe(false)
        await sender.query('COMMIT')
        await expect(undo).rejects.toBeInstanceOf(TooLateToWithdrawError)
      } finally {
        sender.release()
      }
      expect(await conversationNow(c.id)).toEqual(before)
      expect(await prisma().message.count({ where: { id: sent.message.id } })).toBe(1)
    })

    it('a delivery pass skips an e-mail being withdrawn, and finds it gone afterwards', async () => {
      const c = await newConversation()
      const sent = await heldReply(c.id)
      time.advance(UNDO_SEND_MS + SECOND)
      const delivered: string[] = []
      const transport: MailSender = { sendMail: async (m) => void delivered.push(String(m.messageId)) }
      const deliver = () => deliverDueEmails({ prisma: prisma(), transport, clock: time.clock, logger: app.ctx.logger, from: 'Support <support@suivi.test>' })
      const undo = await app.ctx.db.pool.connect()
      try {
        // As withdrawReply holds it between its DELETE and its commit.
        await undo.query('BEGIN')
        await undo.query(`DELETE FROM outbox_emails WHERE "messageId" = $1 AND status = 'queued' AND attempts = 0`, [sent.message.emailMessageId])
        await deliver()
        expect(delivered).not.toContain(sent.message.emailMessageId)
        await undo.query('COMMIT')
      } finally {
        undo.release()
      }
      await deliver()
      expect(delivered).not.toContain(sent.message.emailMessageId)
    })
  })
  announceIfSkipped('row locks between Undo and the sender')
})
