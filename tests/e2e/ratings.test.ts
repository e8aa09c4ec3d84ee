import path from 'node:path'
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { replyAsAgent } from '../../src/domain/conversations/commands/replyAsAgent.ts'
import { ARTIFACTS, flat, launchChromium, signInPage, watchProblems } from '../helpers/browser.ts'
import { buildAgent, buildConversation, buildFolder } from '../helpers/factories.ts'
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtpCapture.ts'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'

const CUSTOMER = 'robin.rating@example.com'
const REPLY = 'A new lid is on its way; it should arrive on Thursday.'
const COMMENT = 'The new lid leaks too, and nobody told me about the delay.'

/** The link as the app e-mails it, pointed at the running test app (PUBLIC_URL is not the test port). */
function atApp(app: TestApp, link: string): string {
  const url = new URL(link)
  const base = new URL(app.url)
  url.protocol = base.protocol
  url.host = base.host
  return url.toString()
}

/** Clicks a submit button and waits for the page the server answers with. */
async function submit(page: Page, button: Locator) {
  await Promise.all([page.waitForEvent('load'), button.click()])
}

describe('a customer rates a reply from the e-mail, and the agent sees it', () => {
  let app: TestApp
  let capture: SmtpCapture
  let browser: Awaited<ReturnType<typeof launchChromium>>

  beforeAll(async () => {
    capture = await startSmtpCapture()
    app = await startTestApp({ SMTP_URL: capture.url })
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await app?.close()
    await capture?.stop()
  })

  it('one click on "Great" in the reply, then "Not good" with a comment; the assignee sees both and is told', async () => {
    const prisma = app.ctx.db.prisma
    const problems: string[] = []
    const folder = await buildFolder(prisma, 'Teapots')
    await prisma.folder.update({ where: { id: folder.id }, data: { ratingsEnabled: true } })
    const bruno = await buildAgent(prisma, { folderIds: [folder.id], name: 'Bruno Léger' })
    // Recorded and taken by Bruno himself: the bad rating is the only news his bell has.
    const c = await buildConversation(app.ctx.domain, bruno, {
      folderId: folder.id,
      customerEmail: CUSTOMER,
      customerName: 'Robin Rating',
      subject: 'Cracked teapot lid',
      mode: 'record',
      assigneeId: bruno.id,
      text: 'The lid of my teapot arrived cracked.',
    })
    await replyAsAgent(app.ctx.domain, bruno, { conversationId: c.id, text: REPLY })

    // 1. The reply e-mail, as the customer receives it, asks how it was.
    const mail = await capture.waitForMatch((m) => m.envelope.rcptTo.includes(CUSTOMER) && (m.parsed.text ?? '').includes(REPLY), 20_000)
    expect(mail.parsed.text).toContain('How was our reply?')
    const great = /https?:\/\/\S+\/rate\/[\w.-]+\?value=great/.exec(mail.parsed.text ?? '')?.[0]
    expect(great, 'a "Great" link in the text part').toBeTruthy()
    expect(String(mail.parsed.html)).toContain(great!)

    // 2. The customer clicks it: the page thanks them, and their browser confirms the rating.
    const page = await browser.context.newPage()
    page.setDefaultTimeout(10_000)
    watchProblems(page, problems, 'customer')
    await page.setViewportSize({ width: 1440, height: 900 })
    await page.goto(atApp(app, great!))
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('How was our reply?')
    await page.locator('[data-rating-done]').waitFor({ state: 'visible' })
    expect(flat(await page.locator('#rating-status').innerText())).toBe('Thank you! Your rating: Great.')
    expect(await page.locator('[data-rating-pending]').isHidden()).toBe(true)
    expect(await page.getByLabel('Great').isChecked()).toBe(true)
    await expect.poll(() => prisma.rating.findUnique({ where: { conversationId: c.id } })).toMatchObject({ value: 'great', confirmed: true })
    await page.screenshot({ path: path.join(ARTIFACTS, 'ratings-customer-1440.png'), fullPage: true })

    // 3. On second thought: "Not good", with a comment, sent with the form.
    await page.getByText('Not good', { exact: true }).click()
    expect(await page.getByLabel('Not good').isChecked()).toBe(true)
    await page.getByLabel('Anything to add? (optional)').fill(COMMENT)
    await submit(page, page.getByRole('button', { name: 'Send', exact: true }))
    expect(flat(await page.locator('#rating-status').innerText())).toBe('Thank you! Your rating: Not good.')
    expect(await page.getByLabel('Not good').isChecked()).toBe(true)
    expect(await page.getByLabel('Anything to add? (optional)').inputValue()).toBe(COMMENT)
    expect(await prisma.rating.findUniqueOrThrow({ where: { conversationId: c.id } })).toMatchObject({ value: 'bad', confirmed: true, comment: COMMENT })
    await page.setViewportSize({ width: 390, height: 844 })
    await page.screenshot({ path: path.join(ARTIFACTS, 'ratings-customer-390.png'), fullPage: true })
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    // The three choices sit side by side even on a phone.
    const boxes = await Promise.all(['Great', 'Okay', 'Not good'].map((name) => page.getByText(name, { exact: true }).boundingBox()))
    expect(new Set(boxes.map((b) => Math.round(b!.y))).size).toBe(1)
    await page.close()

    // 4. Bruno, the assignee, is told (the bell), and sees the rating and comment in the sidebar and the history.
    await expect.poll(() => prisma.notification.count({ where: { agentId: bruno.id, kind: 'bad_rating', conversationId: c.id } }), { timeout: 15_000 }).toBe(1)
    const agentPage = await browser.context.newPage()
    agentPage.setDefaultTimeout(10_000)
    watchProblems(agentPage, problems, 'agent')
    await agentPage.setViewportSize({ width: 1440, height: 900 })
    await signInPage(agentPage, app.url, bruno.email)
    const bell = agentPage.locator('#bell-link')
    expect(await bell.getAttribute('aria-label')).toBe('Notifications, 1 unread')
    await bell.click()
    const panel = agentPage.locator('#bell-panel')
    await expect.poll(() => panel.locator('.notification').count()).toBe(1)
    expect(flat(await panel.locator('.notification').textContent())).toContain('The customer rated it “Not good”')
    await agentPage.keyboard.press('Escape')

    await agentPage.goto(`${app.url}/conversations/${c.number}`)
    const card = agentPage.locator('#rating-sidebar')
    expect(flat(await card.locator('h2').textContent())).toBe('Customer rating')
    expect(flat(await card.locator('.rating-badge').textContent())).toBe('Not good')
    expect(flat(await card.locator('blockquote').textContent())).toBe(COMMENT)
    const history = flat(await agentPage.locator('.history').textContent())
    expect(history).toContain('Robin Rating changed their rating from Great to Not good')
    expect(history).toContain(`Robin Rating commented on their rating: “${COMMENT}”`)
    expect(history).toContain('Robin Rating rated the conversation: Great')
    expect(history).toContain('Robin Rating opened the rating link “Great” (not confirmed yet)')
    await agentPage.screenshot({ path: path.join(ARTIFACTS, 'ratings-agent.png'), fullPage: true })
    expect(problems).toEqual([])
  }, 120_000)
})
