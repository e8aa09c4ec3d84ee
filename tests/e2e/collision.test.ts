import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../src/domain/actor.ts'
import { receiveRawMessage } from '../../src/mail/inbound/intake.ts'
import { ARTIFACTS, gotoLive, launchChromium, signInPage, watchProblems } from '../helpers/browser.ts'
import { buildAgent, buildConversation, buildFolder } from '../helpers/factories.ts'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'

const CUSTOMER = { name: 'Casey Customer', email: 'casey.collision@example.com' }
const SUBJECT = 'The blender lid does not close'
const CUSTOMER_ANSWER = 'Thanks! Photo of the hinge attached, the left clip is snapped off (ref zebra-4412).'

type Browser = Awaited<ReturnType<typeof launchChromium>>

/** Console errors, page errors and failed requests of a page. Leaving a page aborts its live
 * stream and fetches in flight (net::ERR_ABORTED): that is normal, anything else is a problem. */
describe('two agents on the same conversation in the browser', () => {
  let app: TestApp
  let browserA: Browser
  let browserB: Browser
  let alice: Actor
  let bruno: Actor
  let conversation: { id: number; number: number }
  let agentMessageId: string

  beforeAll(async () => {
    app = await startTestApp()
    const prisma = app.ctx.db.prisma
    const folder = await buildFolder(prisma, 'Kitchen appliances')
    alice = await buildAgent(prisma, { role: 'admin', name: 'Alice Admin' })
    bruno = await buildAgent(prisma, { folderIds: [folder.id], name: 'Bruno Agent' })
    // Sent to the customer, so that the customer's answer threads by In-Reply-To.
    const created = await buildConversation(app.ctx.domain, alice, {
      folderId: folder.id,
      mode: 'send',
      subject: SUBJECT,
      customerEmail: CUSTOMER.email,
      customerName: CUSTOMER.name,
      text: 'Hello Casey, could you send us a photo of the hinge of the lid?',
    })
    conversation = { id: created.id, number: created.number }
    const message = await prisma.message.findFirstOrThrow({ where: { conversationId: created.id, kind: 'agent' } })
    agentMessageId = message.emailMessageId!
    expect(agentMessageId).toMatch(/^<.+@.+>$/)
    // One browser (and profile) each: two independent sessions.
    browserA = await launchChromium()
    browserB = await launchChromium()
  })
  afterAll(async () => {
    await browserA?.close()
    await browserB?.close()
    await app?.close()
  })

  it('shows the red bar live, warns who is replying, clears both when the agent leaves, and refreshes the open thread', async () => {
    const problems: string[] = []
    const a = await browserA.context.newPage()
    const b = await browserB.context.newPage()
    a.setDefaultTimeout(10_000)
    b.setDefaultTimeout(10_000)
    watchProblems(a, problems, 'A')
    watchProblems(b, problems, 'B')

    await signInPage(a, app.url, alice.email)
    await signInPage(b, app.url, bruno.email)
    const conversationUrl = `${app.url}/conversations/${conversation.number}`
    const listUrl = `${app.url}/conversations?tab=all`

    // 1. B looks at the list; nobody has the conversation open yet.
    await gotoLive(b, listUrl)
    const row = b.locator(`.conversation-row[data-conversation-id="${conversation.id}"]`)
    expect(await row.count()).toBe(1)
    expect(await row.getAttribute('class')).not.toContain('is-viewed')
    // A marker on B's window: if it survives, the bar came without a reload.
    await b.evaluate(() => ((window as unknown as { __noReload: number }).__noReload = 42))

    // 2. A opens the conversation: the red bar appears on B's row, live.
    const started = Date.now()
    await gotoLive(a, conversationUrl)
    await b.waitForSelector(`.conversation-row.is-viewed[data-conversation-id="${conversation.id}"]`, { timeout: 10_000 })
    const barAfter = Date.now() - started
    expect(await b.evaluate(() => (window as unknown as { __noReload?: number }).__noReload)).toBe(42)
    expect(await row.getAttribute('title')).toBe('Open now: Alice Admin')
    expect(barAfter).toBeLessThan(10_000)
    await b.screenshot({ path: path.join(ARTIFACTS, 'collision-list.png'), fullPage: true })

    // 3. A types a reply; B opens the conversation and is warned, above the editor, that A is replying.
    await a.locator('.reply-form .ql-editor').click()
    await a.keyboard.type('Hello Casey, we are sending a new lid today')
    await expect
      .poll(async () => (await app.ctx.db.prisma.presence.findFirst({ where: { agentId: alice.id, conversationId: conversation.id } }))?.composing, {
        timeout: 5_000,
      })
      .toBe(true)
    await gotoLive(b, conversationUrl)
    const warning = b.locator('#collision-warning')
    await warning.waitFor({ state: 'visible', timeout: 5_000 })
    expect(await warning.textContent()).toContain('Alice Admin is replying right now.')
    expect(await b.locator('#presence').textContent()).toContain('Alice Admin')
    // The warning sits above the editor.
    const warningBox = (await warning.boundingBox())!
    const editorBox = (await b.locator('.reply-form .ql-editor').boundingBox())!
    expect(warningBox.y + warningBox.height).toBeLessThanOrEqual(editorBox.y)
    // A sees B as well (live, on A's already open page), without a warning: B is not typing.
    await expect.poll(() => a.locator('#presence').textContent(), { timeout: 10_000 }).toContain('Bruno Agent')
    expect(await a.locator('#collision-warning').isHidden()).toBe(true)
    await b.screenshot({ path: path.join(ARTIFACTS, 'collision-warning.png'), fullPage: true })

    // 4. A leaves for the list: B's warning and A's name go away live, and the bar is gone from the list.
    const left = Date.now()
    await a.goto(`${app.url}/conversations`)
    await warning.waitFor({ state: 'hidden', timeout: 10_000 })
    await expect.poll(() => b.locator('#presence').textContent(), { timeout: 10_000 }).not.toContain('Alice Admin')
    const warningGoneAfter = Date.now() - left
    expect(warningGoneAfter).toBeLessThan(10_000)
    await gotoLive(b, listUrl)
    await expect.poll(() => row.getAttribute('class'), { timeout: 10_000 }).not.toContain('is-viewed')
    expect(await row.getAttribute('title')).toBeNull()

    // 5. A opens the conversation again (the bar comes back), B too; A starts typing and B's warning
    //    appears live, without a reload.
    await gotoLive(a, conversationUrl)
    await b.waitForSelector(`.conversation-row.is-viewed[data-conversation-id="${conversation.id}"]`, { timeout: 10_000 })
    await gotoLive(b, conversationUrl)
    expect(await warning.isHidden()).toBe(true)
    await b.evaluate(() => ((window as unknown as { __noReload: number }).__noReload = 43))
    await a.locator('.reply-form .ql-editor').click()
    await a.keyboard.type('Draft: the new lid ships')
    await warning.waitFor({ state: 'visible', timeout: 10_000 })
    expect(await warning.textContent()).toContain('Alice Admin is replying right now.')
    expect(await b.evaluate(() => (window as unknown as { __noReload?: number }).__noReload)).toBe(43)

    // 6. The customer answers by e-mail; A's open thread shows it, with a notice, and the draft stays.
    expect(await a.locator('#thread-notice').isHidden()).toBe(true)
    const messagesBefore = await a.locator('ol.thread > li').count()
    await a.evaluate(() => ((window as unknown as { __noReload: number }).__noReload = 7))
    const raw = Buffer.from(
      [
        `From: ${CUSTOMER.name} <${CUSTOMER.email}>`,
        'To: support@localhost',
        `Subject: Re: ${SUBJECT} [#${conversation.number}]`,
        `Message-ID: <answer-${Date.now()}@example.com>`,
        `In-Reply-To: ${agentMessageId}`,
        `References: ${agentMessageId}`,
        'Date: Mon, 4 Jan 2027 10:00:00 +0000',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        '',
        CUSTOMER_ANSWER,
        '',
      ].join('\r\n'),
    )
    const arrived = Date.now()
    const { outcome } = await receiveRawMessage(app.ctx.domain, { source: 'http', raw })
    expect(outcome).toMatchObject({ status: 'processed', conversationId: conversation.id })
    await a.locator('ol.thread', { hasText: 'ref zebra-4412' }).waitFor({ timeout: 10_000 })
    const threadAfter = Date.now() - arrived
    expect(await a.locator('ol.thread > li').count()).toBeGreaterThan(messagesBefore)
    const notice = a.locator('#thread-notice')
    expect(await notice.isVisible()).toBe(true)
    expect(await notice.textContent()).toContain('A new message arrived')
    // The thread was refreshed in place, not by reloading the page.
    expect(await a.evaluate(() => (window as unknown as { __noReload?: number }).__noReload)).toBe(7)
    expect(await a.locator('.reply-form .ql-editor').textContent()).toContain('Draft: the new lid ships')
    // B, who has it open too, gets the new message as well.
    await b.locator('ol.thread', { hasText: 'ref zebra-4412' }).waitFor({ timeout: 10_000 })

    console.info(
      `collision timings: red bar ${barAfter} ms, warning gone ${warningGoneAfter} ms after leaving, thread refreshed ${threadAfter} ms after the e-mail`,
    )
    expect(problems).toEqual([])
  }, 120_000)
})
