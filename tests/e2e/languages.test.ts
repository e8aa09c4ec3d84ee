import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SYSTEM } from '../../src/domain/actor.ts'
import { runLifecycleSweep } from '../../src/domain/lifecycle/sweep.ts'
import { translate } from '../../src/i18n/translate.ts'
import { receiveRawMessage } from '../../src/mail/inbound/intake.ts'
import { statusPageUrl } from '../../src/mail/customerLinks.ts'
import { ARTIFACTS, flat, launchChromium, signInPage } from '../helpers/browser.ts'
import { buildAgent, buildFolder } from '../helpers/factories.ts'
import { startSmtpCapture, type CapturedMessage, type SmtpCapture } from '../helpers/smtpCapture.ts'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'

type Browser = Awaited<ReturnType<typeof launchChromium>>

const DAY_MS = 24 * 60 * 60 * 1000
const CUSTOMER = 'Camille Dupont <camille.dupont@exemple.fr>'
const SUBJECT = 'Ma commande n’est jamais arrivée'
const FIRST_MESSAGE =
  'Bonjour, j’ai passé commande il y a trois semaines et je n’ai toujours rien reçu. Pourriez-vous me dire où en est la livraison ? Merci d’avance pour votre aide.'
const REPLY = 'Bonjour Camille, votre colis est reparti ce matin, vous le recevrez jeudi.'
const fr = (key: Parameters<typeof translate>[1], values?: Parameters<typeof translate>[2]) => translate('fr', key, values)
const en = (key: Parameters<typeof translate>[1], values?: Parameters<typeof translate>[2]) => translate('en', key, values)

/** The message's text part, with its lines as one text. */
const bodyOf = (m: CapturedMessage) => flat(m.parsed.text)

describe('an agent in French and one in English on the conversation of a customer writing in French', () => {
  let app: TestApp
  let capture: SmtpCapture
  let browserFr: Browser
  let browserEn: Browser
  let number: number
  let conversationId: number
  let frEmail: string
  let enEmail: string
  const problems: string[] = []

  beforeAll(async () => {
    capture = await startSmtpCapture()
    app = await startTestApp({ SMTP_URL: capture.url, MAIL_FROM: 'Support <support@acme.example>' })
    const prisma = app.ctx.db.prisma
    // The folder speaks English: the customer's own language must win over it.
    const folder = await buildFolder(prisma, 'Livraisons')
    await prisma.folder.update({ where: { id: folder.id }, data: { inboundAddress: 'support@acme.example', locale: 'en', timeZone: 'Europe/Paris' } })
    const francoise = await buildAgent(prisma, { folderIds: [folder.id], name: 'Françoise Martin' })
    const edward = await buildAgent(prisma, { folderIds: [folder.id], name: 'Edward Hughes' })
    frEmail = (await prisma.agent.update({ where: { id: francoise.id }, data: { locale: 'fr', timeZone: 'Europe/Paris' } })).email
    enEmail = (await prisma.agent.update({ where: { id: edward.id }, data: { locale: 'en', timeZone: 'America/New_York' } })).email
    ;[browserFr, browserEn] = await Promise.all([launchChromium(), launchChromium()])
  })
  afterAll(async () => {
    await browserFr?.close()
    await browserEn?.close()
    await app?.close()
    await capture?.stop()
  })

  it('acknowledges the request in French, the customer’s language read from the e-mail', async () => {
    const raw = Buffer.from(
      [`From: ${CUSTOMER}`, 'To: support@acme.example', `Subject: ${SUBJECT}`, `Message-ID: <fr-${Date.now()}@exemple.fr>`, '', FIRST_MESSAGE, ''].join('\r\n'),
    )
    const { outcome } = await receiveRawMessage(app.ctx.domain, {
      source: 'smtp',
      raw,
      envelopeFrom: 'camille.dupont@exemple.fr',
      envelopeTo: ['support@acme.example'],
    })
    expect(outcome.status).toBe('processed')
    const conversation = await app.ctx.db.prisma.conversation.findFirstOrThrow({ where: { subject: SUBJECT }, include: { customer: true } })
    expect(conversation.customer.locale).toBe('fr')
    number = conversation.number
    conversationId = conversation.id
    const ack = await capture.waitForMatch((m) => m.envelope.rcptTo.includes('camille.dupont@exemple.fr'))
    expect(ack.parsed.subject).toBe(fr('mail.confirmation.subject', { number }))
    expect(bodyOf(ack)).toContain(flat(fr('mail.confirmation.defaultText')))
    expect(ack.parsed.headers.get('content-language')).toBe('fr')
  })

  it('shows each agent the same conversation in their own language; the French reply reaches the customer in French', async () => {
    const pageFr = await browserFr.context.newPage()
    const pageEn = await browserEn.context.newPage()
    for (const [page, who] of [
      [pageFr, 'fr'],
      [pageEn, 'en'],
    ] as const) {
      page.setDefaultTimeout(10_000)
      await page.setViewportSize({ width: 1280, height: 900 })
      page.on('pageerror', (e) => problems.push(`${who} pageerror: ${e.message}`))
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`${who} console: ${m.text()}`)
      })
    }
    await signInPage(pageFr, app.url, frEmail)
    await signInPage(pageEn, app.url, enEmail)

    // The list, in each agent's language.
    expect(await pageFr.locator('html').getAttribute('lang')).toBe('fr')
    expect(await pageEn.locator('html').getAttribute('lang')).toBe('en')
    expect(flat(await pageFr.locator('.mainnav').textContent())).toContain(fr('layout.nav.conversations'))
    await pageFr.screenshot({ path: path.join(ARTIFACTS, 'fr-conversation-list.png'), fullPage: true })

    // The conversation: status, sidebar and history in each language; times on hover in each zone.
    const url = `${app.url}/conversations/${number}`
    await Promise.all([pageFr.goto(url), pageEn.goto(url)])
    expect(flat(await pageFr.locator('.sidebar').textContent())).toContain(fr('status.new'))
    expect(flat(await pageEn.locator('.sidebar').textContent())).toContain(en('status.new'))
    const hoverFr = await pageFr.locator('.history time').first().getAttribute('title')
    const hoverEn = await pageEn.locator('.history time').first().getAttribute('title')
    expect(hoverFr).toMatch(/^[a-z]+ \d{1,2} [a-zéû]+ \d{4} à \d{2}:\d{2}:\d{2} UTC\+[12]$/)
    expect(hoverEn).toMatch(/^[A-Z][a-z]+day, [A-Z][a-z]+ \d{1,2}, \d{4} at \d{1,2}:\d{2}:\d{2}\s[AP]M (EST|EDT)$/)
    // The customer's language, shown beside the conversation in the agent's language.
    expect(await pageFr.locator('#customer-language option:checked').textContent()).toBe('Français')

    // Françoise answers; Edward sees her reply and its history line in English.
    await pageFr.locator('.reply-form .ql-editor').click()
    await pageFr.keyboard.type(REPLY)
    await Promise.all([pageFr.waitForEvent('load'), pageFr.locator('.reply-form button.button-primary').click()])
    await pageFr.screenshot({ path: path.join(ARTIFACTS, 'fr-conversation.png'), fullPage: true })
    expect(flat(await pageFr.locator('.sidebar').textContent())).toContain(fr('status.pending'))
    await pageEn.reload()
    expect(flat(await pageEn.locator('ol.thread').textContent())).toContain(REPLY)
    expect(flat(await pageEn.locator('.history').textContent())).toContain(flat(en('history.replied', { actor: 'Françoise Martin' })))
    expect(flat(await pageFr.locator('.history').textContent())).toContain(flat(fr('history.replied', { actor: 'Françoise Martin' })))

    const reply = await capture.waitForMatch((m) => m.envelope.rcptTo.includes('camille.dupont@exemple.fr') && bodyOf(m).includes(REPLY))
    expect(bodyOf(reply)).toContain(flat(fr('mail.agentReply.footerText', { number, url: '' })).slice(0, 40))
    expect(reply.parsed.headers.get('content-language')).toBe('fr')
  })

  it('shows the customer their status page in French', async () => {
    const page = await browserFr.context.newPage()
    const link = new URL(statusPageUrl(app.ctx.domain.mail, conversationId))
    await page.goto(`${app.url}${link.pathname}`)
    expect(await page.locator('html').getAttribute('lang')).toBe('fr')
    expect(flat(await page.locator('main').textContent())).toContain(REPLY)
    expect(flat(await page.locator('main').textContent())).toContain(flat(fr('portal.status.pending.title')))
    await page.screenshot({ path: path.join(ARTIFACTS, 'fr-status-page.png'), fullPage: true })
  })

  it('reminds and closes in French, with the one-click answers in French', async () => {
    const ctx = app.ctx.domain
    const reminded = await runLifecycleSweep({ ...ctx, clock: () => new Date(Date.now() + 24 * DAY_MS) }, SYSTEM)
    expect(reminded.reminded).toBe(1)
    const reminder = await capture.waitForMatch(
      (m) =>
        m.envelope.rcptTo.includes('camille.dupont@exemple.fr') && m.parsed.subject === fr('mail.reminder.subject', { subject: `Re: [#${number}] ${SUBJECT}` }),
    )
    expect(bodyOf(reminder)).toContain(flat(fr('mail.reminder.defaultText', { days: 7 })))
    expect(flat(reminder.parsed.html || '')).toContain(fr('mail.reminder.solved'))

    // The one-click answer page, in French.
    const answer = /https?:\/\/\S+\/r\/not-solved\/\S+/.exec(reminder.parsed.text ?? '')?.[0]
    expect(answer, bodyOf(reminder)).toBeTruthy()
    const page = await browserFr.context.newPage()
    await page.goto(`${app.url}${new URL(answer!).pathname}`)
    expect(await page.locator('html').getAttribute('lang')).toBe('fr')
    await page.screenshot({ path: path.join(ARTIFACTS, 'fr-answer-page.png'), fullPage: true })
    await page.close()

    // Answered "not solved" reopens it; put it back to pending as an agent would, then let it close.
    await app.ctx.db.prisma.conversation.update({
      where: { id: conversationId },
      data: { status: 'pending', pendingSince: new Date(), reminderSentAt: new Date() },
    })
    const closed = await runLifecycleSweep({ ...ctx, clock: () => new Date(Date.now() + 32 * DAY_MS) }, SYSTEM)
    expect(closed.closed).toBe(1)
    const closing = await capture.waitForMatch(
      (m) =>
        m.envelope.rcptTo.includes('camille.dupont@exemple.fr') && m.parsed.subject === fr('mail.closing.subject', { subject: `Re: [#${number}] ${SUBJECT}` }),
    )
    expect(bodyOf(closing)).toContain(flat(fr('mail.closing.defaultText')))
    expect(problems).toEqual([])
  })
})
