import { asCustomer, SYSTEM } from '../../../src/domain/actor.ts'
import ejs from 'ejs'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Actor } from '../../../src/domain/actor.ts'
import type { DomainContext } from '../../../src/domain/context.ts'
import { addCustomerMessage } from '../../../src/domain/conversations/commands/addCustomerMessage.ts'
import { recordCustomerAnswer } from '../../../src/domain/conversations/commands/recordCustomerAnswer.ts'
import { replyAsAgent } from '../../../src/domain/conversations/commands/replyAsAgent.ts'
import { runLifecycleSweep } from '../../../src/domain/lifecycle/sweep.ts'
import { translate, translator } from '../../../src/i18n/translate.ts'
import { answerUrl, statusPageUrl, verifyCustomerToken } from '../../../src/mail/customerLinks.ts'
import { threadSubject } from '../../../src/mail/outbound/conversationEmails.ts'
import { renderMail } from '../../../src/mail/outbound/templates.ts'
import { replyAddressFor } from '../../../src/mail/replyAddress.ts'
import { buildAgent, buildConversation, buildFolder, testClock } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

const HOUR = 60 * 60 * 1000

describe('reminders and automatic close (SPEC §2)', () => {
  const time = testClock(new Date('2027-01-01T08:00:00Z'))
  let app: TestApp
  let ctx: DomainContext
  let admin: Actor
  let folderId: number

  beforeAll(async () => {
    app = await startTestApp({}, { clock: time.clock })
    ctx = app.ctx.domain
    admin = await buildAgent(ctx.prisma, { role: 'admin', name: 'Ada' })
    folderId = (await buildFolder(ctx.prisma)).id
  })
  afterAll(async () => {
    await app?.close()
  })
  beforeEach(async () => {
    await ctx.prisma.setting.deleteMany({
      where: { key: { in: ['pendingCloseDays', 'reminderBeforeCloseDays', 'closingEmailEnabled', 'reminderTexts', 'closingTexts'] } },
    })
    // Conversations of earlier tests must not be due in this one.
    await ctx.prisma.conversation.updateMany({ where: { status: 'pending' }, data: { status: 'closed', pendingSince: null } })
  })

  async function pendingConversation(input: { customerName?: string; subject?: string } = {}) {
    const c = await buildConversation(ctx, admin, { folderId, mode: 'send', text: 'Try restarting the router.', ...input })
    expect(c.status).toBe('pending')
    return c
  }
  const state = (id: number) => ctx.prisma.conversation.findUniqueOrThrow({ where: { id } })
  const mails = (conversationId: number, kind: 'reminder' | 'closing') => ctx.prisma.outboxEmail.findMany({ where: { conversationId, kind } })
  const setting = (key: string, value: number | boolean) => ctx.prisma.setting.upsert({ where: { key }, create: { key, value }, update: { value } })

  it('sends exactly one reminder at day 23 and closes at day 30, as System', async () => {
    const c = await pendingConversation()
    time.advance(23 * 24 * HOUR - 1000)
    expect(await runLifecycleSweep(ctx, SYSTEM)).toEqual({ reminded: 0, closed: 0 })
    time.advance(1000)
    expect(await runLifecycleSweep(ctx, SYSTEM)).toEqual({ reminded: 1, closed: 0 })
    expect(await runLifecycleSweep(ctx, SYSTEM)).toEqual({ reminded: 0, closed: 0 })
    time.advanceDays(3)
    expect(await runLifecycleSweep(ctx, SYSTEM)).toEqual({ reminded: 0, closed: 0 })
    expect(await mails(c.id, 'reminder')).toHaveLength(1)

    const [reminder] = await mails(c.id, 'reminder')
    expect(reminder!.subject).toContain(`[#${c.number}]`)
    expect(reminder!.headers).toMatchObject({ 'Auto-Submitted': 'auto-generated' })
    const solved = /\/r\/solved\/([\w.-]+)/.exec(reminder!.text)?.[1]
    const notSolved = /\/r\/not-solved\/([\w.-]+)/.exec(reminder!.text)?.[1]
    expect(verifyCustomerToken(ctx.mail.secret, 'solved', solved!)).toBe(c.id)
    expect(verifyCustomerToken(ctx.mail.secret, 'not-solved', notSolved!)).toBe(c.id)
    // Single-purpose: a "solved" token is not a "not solved" one.
    expect(verifyCustomerToken(ctx.mail.secret, 'not-solved', solved!)).toBeNull()

    time.set(new Date(c.pendingSince!.getTime() + 30 * 24 * HOUR - 1000))
    expect((await runLifecycleSweep(ctx, SYSTEM)).closed).toBe(0)
    time.advance(1000)
    expect((await runLifecycleSweep(ctx, SYSTEM)).closed).toBe(1)
    expect(await state(c.id)).toMatchObject({ status: 'closed', closedByKind: 'system', closedById: null, pendingSince: null })
    expect(await mails(c.id, 'closing')).toHaveLength(1)
    const history = await ctx.prisma.historyEvent.findMany({ where: { conversationId: c.id, actorKind: 'system' }, orderBy: { id: 'asc' } })
    expect(history.map((h) => h.type)).toEqual(['reminder.sent', 'conversation.auto_closed', 'status.changed'])
    expect(await runLifecycleSweep(ctx, SYSTEM)).toEqual({ reminded: 0, closed: 0 })
  })

  it('re-arms both steps when an agent replies in between', async () => {
    const c = await pendingConversation()
    time.advanceDays(23)
    await runLifecycleSweep(ctx, SYSTEM)
    time.advanceDays(5)
    await replyAsAgent(ctx, admin, { conversationId: c.id, text: 'One more idea: update the firmware.' })
    time.advanceDays(5) // day 33 after the first reply, day 5 of the new period
    expect(await runLifecycleSweep(ctx, SYSTEM)).toEqual({ reminded: 0, closed: 0 })
    time.advanceDays(18) // day 23 of the new period
    expect(await runLifecycleSweep(ctx, SYSTEM)).toEqual({ reminded: 1, closed: 0 })
    expect(await mails(c.id, 'reminder')).toHaveLength(2)
    time.advanceDays(7)
    expect((await runLifecycleSweep(ctx, SYSTEM)).closed).toBe(1)
  })

  it('a customer who still needs help opens it again; one who says solved closes it', async () => {
    const c = await pendingConversation()
    time.advanceDays(23)
    await runLifecycleSweep(ctx, SYSTEM)
    expect(await recordCustomerAnswer(ctx, asCustomer(c.customerId), { conversationId: c.id, answer: 'not-solved' })).toMatchObject({ outcome: 'reopened' })
    expect(await state(c.id)).toMatchObject({ status: 'open', pendingSince: null })
    time.advanceDays(30)
    expect((await runLifecycleSweep(ctx, SYSTEM)).closed).toBe(0)

    const d = await pendingConversation()
    expect(await recordCustomerAnswer(ctx, asCustomer(d.customerId), { conversationId: d.id, answer: 'solved' })).toMatchObject({ outcome: 'closed' })
    expect(await state(d.id)).toMatchObject({ status: 'closed', closedByKind: 'customer' })
    expect(await recordCustomerAnswer(ctx, asCustomer(d.customerId), { conversationId: d.id, answer: 'solved' })).toMatchObject({ outcome: 'already-closed' })
    const answers = await ctx.prisma.historyEvent.findMany({ where: { conversationId: d.id, actorKind: 'customer' } })
    expect(answers.map((h) => h.type)).toEqual(['customer.resolved', 'status.changed', 'customer.resolved'])
  })

  it('replying to the reminder counts as not resolved', async () => {
    const c = await pendingConversation()
    time.advanceDays(23)
    await runLifecycleSweep(ctx, SYSTEM)
    await addCustomerMessage(ctx, asCustomer(c.customerId), { conversationId: c.id, text: 'Still broken, sorry.' })
    expect((await state(c.id)).status).toBe('open')
    time.advanceDays(30)
    expect((await runLifecycleSweep(ctx, SYSTEM)).closed).toBe(0)
  })

  it('0 disables a step: no reminder but a close, or nothing at all', async () => {
    await setting('reminderBeforeCloseDays', 0)
    const c = await pendingConversation()
    time.advanceDays(30)
    expect(await runLifecycleSweep(ctx, SYSTEM)).toEqual({ reminded: 0, closed: 1 })
    expect(await mails(c.id, 'reminder')).toHaveLength(0)

    await setting('pendingCloseDays', 0)
    await setting('reminderBeforeCloseDays', 7)
    const d = await pendingConversation()
    time.advanceDays(400)
    expect(await runLifecycleSweep(ctx, SYSTEM)).toEqual({ reminded: 0, closed: 0 })
    expect((await state(d.id)).status).toBe('pending')
  })

  it('sends no closing e-mail when that is turned off', async () => {
    await setting('closingEmailEnabled', false)
    const c = await pendingConversation()
    time.advanceDays(23)
    await runLifecycleSweep(ctx, SYSTEM)
    time.advanceDays(7)
    expect((await runLifecycleSweep(ctx, SYSTEM)).closed).toBe(1)
    expect(await mails(c.id, 'closing')).toHaveLength(0)
  })

  it('catches up after downtime without cutting the customer’s warning short', async () => {
    const c = await pendingConversation()
    time.advanceDays(45) // the app was down from day 20 to day 45
    expect(await runLifecycleSweep(ctx, SYSTEM)).toEqual({ reminded: 1, closed: 0 })
    time.advanceDays(7)
    expect(await runLifecycleSweep(ctx, SYSTEM)).toEqual({ reminded: 0, closed: 1 })
    expect((await state(c.id)).status).toBe('closed')
  })

  it('reopens a closed conversation on a reply within the window; after it, a new linked one', async () => {
    const closeBySweeps = async () => {
      const c = await pendingConversation()
      time.advanceDays(23)
      await runLifecycleSweep(ctx, SYSTEM)
      time.advanceDays(7)
      await runLifecycleSweep(ctx, SYSTEM)
      expect((await state(c.id)).status).toBe('closed')
      return c
    }
    const c = await closeBySweeps()
    time.advanceDays(6)
    const back = await addCustomerMessage(ctx, asCustomer(c.customerId), { conversationId: c.id, text: 'It happened again.' })
    expect(back.conversation).toMatchObject({ id: c.id, status: 'open' })

    const d = await closeBySweeps()
    time.advanceDays(31)
    const late = await addCustomerMessage(ctx, asCustomer(d.customerId), { conversationId: d.id, text: 'Hello again.' })
    expect(late.conversation.id).not.toBe(d.id)
    expect(late.conversation.previousConversationId).toBe(d.id)
  })

  it('two sweeps at once remind and close each conversation once', async () => {
    const ids = []
    for (let i = 0; i < 30; i++) ids.push((await pendingConversation()).id)
    time.advanceDays(23)
    const [a, b] = await Promise.all([runLifecycleSweep(ctx, SYSTEM, { batchSize: 7 }), runLifecycleSweep(ctx, SYSTEM, { batchSize: 7 })])
    expect(a.reminded + b.reminded).toBe(30)
    time.advanceDays(7)
    const [x, y] = await Promise.all([runLifecycleSweep(ctx, SYSTEM, { batchSize: 7 }), runLifecycleSweep(ctx, SYSTEM, { batchSize: 7 })])
    expect(x.closed + y.closed).toBe(30)
    const perConversation = await ctx.prisma.outboxEmail.groupBy({
      by: ['conversationId', 'kind'],
      where: { conversationId: { in: ids } },
      _count: { _all: true },
    })
    expect(perConversation.filter((g) => g.kind === 'reminder').every((g) => g._count._all === 1)).toBe(true)
    expect(perConversation.filter((g) => g.kind === 'closing').every((g) => g._count._all === 1)).toBe(true)
  })

  /**
   * Reminds and then closes conversations of customers with these names and checks that every
   * stored e-mail is byte for byte what a render of its template per conversation gives (the
   * sweep sends the template's fixed parts once and PostgreSQL puts in each e-mail's values).
   */
  async function sweepAndCompare(names: string[], texts: { reminderText?: string; closingText?: string } = {}) {
    if (texts.reminderText) await ctx.prisma.setting.create({ data: { key: 'reminderTexts', value: { en: texts.reminderText } } })
    if (texts.closingText) await ctx.prisma.setting.create({ data: { key: 'closingTexts', value: { en: texts.closingText } } })
    const cs: Awaited<ReturnType<typeof pendingConversation>>[] = []
    for (const [i, customerName] of names.entries())
      cs.push(await pendingConversation({ customerName, subject: i % 2 ? `Odd "subject" \\ {${i}} 100%` : 'Where is my parcel?' }))
    const bounced = await pendingConversation({ customerName: 'Bounce' })
    await ctx.prisma.customer.update({ where: { id: bounced.customerId }, data: { undeliverableAt: time.clock() } })
    const reminderText = texts.reminderText?.replaceAll('{days}', '7') ?? translate('en', 'mail.reminder.defaultText', { days: 7 })
    const closingText = texts.closingText ?? translate('en', 'mail.closing.defaultText')

    async function check(kind: 'reminder' | 'closing') {
      for (const c of cs) {
        const customer = await ctx.prisma.customer.findUniqueOrThrow({ where: { id: c.customerId } })
        const lastAgent = await ctx.prisma.message.findFirst({
          where: { conversationId: c.id, kind: 'agent', emailMessageId: { not: null } },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        })
        const [email, ...more] = await mails(c.id, kind)
        expect(more).toHaveLength(0)
        const content =
          kind === 'reminder'
            ? await renderMail('reminder', {
                name: customer.name,
                text: reminderText,
                solvedUrl: answerUrl(ctx.mail, c.id, 'solved'),
                notSolvedUrl: answerUrl(ctx.mail, c.id, 'not-solved'),
                statusUrl: statusPageUrl(ctx.mail, c.id),
                number: c.number,
              })
            : await renderMail('closing', { name: customer.name, text: closingText, statusUrl: statusPageUrl(ctx.mail, c.id), number: c.number })
        expect(email).toMatchObject({
          toAddress: customer.email,
          subject: `${kind === 'reminder' ? 'Is your problem solved?' : 'Closed:'} ${threadSubject(c, true)}`,
          html: content.html,
          text: content.text,
          status: 'queued',
          attempts: 0,
          attachments: [],
        })
        // Queued at the real time of writing, not at the simulated clock: due for the worker at once.
        expect(Math.abs(email!.nextAttemptAt.getTime() - Date.now())).toBeLessThan(60_000)
        expect(email!.createdAt).toEqual(email!.nextAttemptAt)
        expect(email!.headers).toEqual({
          'Auto-Submitted': 'auto-generated',
          'Content-Language': 'en',
          'Reply-To': replyAddressFor(ctx.mail.supportAddress, ctx.mail.secret, c.id),
          'In-Reply-To': lastAgent!.emailMessageId,
          References: lastAgent!.emailMessageId,
        })
      }
    }

    time.advanceDays(23)
    expect(await runLifecycleSweep(ctx, SYSTEM, { batchSize: 4 })).toEqual({ reminded: cs.length + 1, closed: 0 })
    await check('reminder')
    expect(await mails(bounced.id, 'reminder')).toHaveLength(0)

    time.advanceDays(7)
    expect(await runLifecycleSweep(ctx, SYSTEM, { batchSize: 4 })).toEqual({ reminded: 0, closed: cs.length + 1 })
    await check('closing')
    expect(await mails(bounced.id, 'closing')).toHaveLength(0)
    // One history entry per change, by System, in order; the undeliverable address is noted.
    for (const c of [...cs, bounced]) {
      const history = await ctx.prisma.historyEvent.findMany({ where: { conversationId: c.id, actorKind: 'system' }, orderBy: { id: 'asc' } })
      expect(history.map((h) => [h.type, h.data, h.actorAgentId, h.createdAt])).toEqual([
        ['reminder.sent', c.id === bounced.id ? { skipped: 'the address is undeliverable' } : {}, null, new Date(time.clock().getTime() - 7 * 24 * HOUR)],
        ['conversation.auto_closed', { afterDays: 30 }, null, time.clock()],
        ['status.changed', { from: 'pending', to: 'closed' }, null, time.clock()],
      ])
    }
    return cs
  }

  it('stores each e-mail exactly as the template renders it for that conversation, whatever the name', async () => {
    // Characters that HTML escaping, the empty-name branch of the templates and PostgreSQL's
    // array syntax (quotes, backslashes, braces, commas, NULL) would each get wrong.
    const cs = await sweepAndCompare(['', 'O\'Brien & "Sons" <ltd>', 'back\\slash {brace}, comma', 'NULL', 'Zoë 山田 🙂'])
    // The empty name really is empty (the template greets without one).
    expect((await ctx.prisma.customer.findUniqueOrThrow({ where: { id: cs[0]!.customerId } })).name).toBe('')
  })

  it('writes each e-mail of a batch in its conversation’s language: the admin’s text for it, else the built-in one', async () => {
    const french = await buildFolder(ctx.prisma)
    await ctx.prisma.folder.update({ where: { id: french.id }, data: { locale: 'fr', timeZone: 'Europe/Paris' } })
    await ctx.prisma.setting.create({ data: { key: 'reminderTexts', value: { fr: 'Est-ce résolu\u202f? Nous fermons dans {days} jours.' } } })
    const first = await pendingConversation()
    const inFrench = await buildConversation(ctx, admin, { folderId: french.id, mode: 'send', text: 'Essayez de redémarrer.' })
    const readsEnglish = await buildConversation(ctx, admin, { folderId: french.id, mode: 'send', text: 'Try again.' })
    await ctx.prisma.customer.update({ where: { id: readsEnglish.customerId }, data: { locale: 'en' } })
    const last = await pendingConversation()
    const fr = translator('fr')

    time.advanceDays(23)
    expect(await runLifecycleSweep(ctx, SYSTEM)).toEqual({ reminded: 4, closed: 0 })
    const reminders = await ctx.prisma.outboxEmail.findMany({
      where: { kind: 'reminder', conversationId: { in: [first.id, inFrench.id, readsEnglish.id, last.id] } },
    })
    // One INSERT in the batch's order, whatever the languages.
    expect(reminders.sort((a, b) => a.id - b.id).map((m) => m.conversationId)).toEqual([first.id, inFrench.id, readsEnglish.id, last.id])
    const reminderOf = (id: number) => reminders.find((m) => m.conversationId === id)!
    expect(reminderOf(inFrench.id).subject).toBe(`Votre problème est-il résolu\u202f? ${threadSubject(inFrench, true, fr)}`)
    const customer = await ctx.prisma.customer.findUniqueOrThrow({ where: { id: inFrench.customerId } })
    const content = await renderMail('reminder', {
      name: customer.name,
      text: 'Est-ce résolu\u202f? Nous fermons dans 7 jours.',
      solvedUrl: answerUrl(ctx.mail, inFrench.id, 'solved'),
      notSolvedUrl: answerUrl(ctx.mail, inFrench.id, 'not-solved'),
      statusUrl: statusPageUrl(ctx.mail, inFrench.id),
      number: inFrench.number,
      locale: 'fr',
      timeZone: 'Europe/Paris',
    })
    expect(reminderOf(inFrench.id)).toMatchObject({ html: content.html, text: content.text })
    expect(content.text).toContain('Oui, c’est résolu\u00a0: ')
    for (const c of [first, readsEnglish, last]) {
      expect(reminderOf(c.id).subject).toBe(`Is your problem solved? ${threadSubject(c, true)}`)
      expect(reminderOf(c.id).text).toContain(translate('en', 'mail.reminder.defaultText', { days: 7 }))
    }

    time.advanceDays(7)
    expect(await runLifecycleSweep(ctx, SYSTEM)).toEqual({ reminded: 0, closed: 4 })
    const [closing] = await mails(inFrench.id, 'closing')
    expect(closing!.subject).toBe(`Fermée\u00a0: ${threadSubject(inFrench, true, fr)}`)
    expect(closing!.text).toContain(translate('fr', 'mail.closing.defaultText'))
    expect((await mails(readsEnglish.id, 'closing'))[0]!.text).toContain(translate('en', 'mail.closing.defaultText'))
  })

  it('keeps % and format() look-alikes in texts and names as they are', async () => {
    await sweepAndCompare(['100% %s %1$s %%', 'Ada'], {
      reminderText: 'Solved? 100% sure? %s %1$s %% %I, in {days} days.',
      closingText: 'Closed at 100%: %L %2$s %%%',
    })
  })

  it('falls back to one render per e-mail when the template does more with a value than print it', async () => {
    // A template that changed what it prints for a value (here: every render with the markers
    // comes out upper-cased) no longer matches the direct render, and each e-mail is rendered whole.
    const original = ejs.renderFile.bind(ejs) as (...args: unknown[]) => Promise<string>
    const renders = vi.spyOn(ejs, 'renderFile').mockImplementation((async (file: string, data: Record<string, unknown>, options: unknown) => {
      const out = await original(file, data, options)
      return String(data.name).includes('\u0000') ? out.toUpperCase() : out
    }) as unknown as typeof ejs.renderFile)
    try {
      await sweepAndCompare(['Ada', 'Grace <Hopper>', ''])
      expect(renders).toHaveBeenCalled()
    } finally {
      renders.mockRestore()
    }
  })

  it('cuts a long subject at 500 characters; half an emoji left at the cut is stored as U+FFFD, as a text parameter would be', async () => {
    const cs = []
    for (const m of [460, 461]) {
      const c = await pendingConversation()
      cs.push(await ctx.prisma.conversation.update({ where: { id: c.id }, data: { subject: `${'a'.repeat(m)}${'😀'.repeat(40)}` } }))
    }
    time.advanceDays(23)
    await runLifecycleSweep(ctx, SYSTEM)
    for (const c of cs) {
      const [email] = await mails(c.id, 'reminder')
      const cut = `Is your problem solved? ${threadSubject(c, true)}`.slice(0, 500)
      // What PostgreSQL stores for the JS string: UTF-8 turns a lone surrogate into U+FFFD.
      expect(email!.subject).toBe(Buffer.from(cut, 'utf8').toString('utf8'))
    }
    expect(cs.map((c) => `Is your problem solved? ${threadSubject(c, true)}`.slice(0, 500).at(-1)!.charCodeAt(0) >= 0xd800)).toContain(true)
  })
})
