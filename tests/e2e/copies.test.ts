import path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../src/domain/actor.ts'
import { UNDO_SEND_MS } from '../../src/domain/conversations/commands/withdrawReply.ts'
import { ARTIFACTS, flat, launchChromium, signInPage, watchProblems } from '../helpers/browser.ts'
import { buildAgent, buildConversation, buildFolder } from '../helpers/factories.ts'
import { startSmtpCapture, type CapturedMessage, type SmtpCapture } from '../helpers/smtpCapture.ts'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'

type Browser = Awaited<ReturnType<typeof launchChromium>>

const REPLY = 'I have copied your manager on this (ref plover-4410).'
const NOTE = 'Could you check the warranty on this one? (ref curlew-8812)'

const bodyOf = (m: CapturedMessage) => flat(m.parsed.text)
const addressesOf = (field: CapturedMessage['parsed']['cc']) => (field && !Array.isArray(field) ? field.value.map((v) => v.address) : [])

/**
 * Posts a form with the given submit button (from the keyboard: the reply form's draft status
 * line may move the button under a mouse click) and waits for the page it lands on.
 */
async function submit(page: Page, button: ReturnType<Page['locator']>, pathEnd: string) {
  await button.focus()
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith(pathEnd)),
    page.waitForEvent('load'),
    page.keyboard.press('Enter'),
  ])
}

describe('copies and forwarding, in the browser', () => {
  let app: TestApp
  let capture: SmtpCapture
  let browser: Browser
  let ada: Actor
  let conversation: { id: number; number: number }

  beforeAll(async () => {
    capture = await startSmtpCapture()
    app = await startTestApp({ SMTP_URL: capture.url, MAIL_FROM: 'Support <support@acme.example>' })
    const prisma = app.ctx.db.prisma
    const folderId = (await buildFolder(prisma, 'Warranty')).id
    ada = await buildAgent(prisma, { folderIds: [folderId], name: 'Ada Agent' })
    conversation = await buildConversation(app.ctx.domain, ada, {
      folderId,
      subject: 'The dryer stopped',
      customerEmail: 'carla@customer.example',
      customerName: 'Carla Customer',
      text: 'My dryer stopped after two weeks (ref dunlin-3307).',
    })
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await app?.close()
    await capture?.stop()
  })

  it('adds a Cc to a reply, keeps it for the next one, and forwards a message with a note', async () => {
    const problems: string[] = []
    const page = await browser.context.newPage()
    page.setDefaultTimeout(10_000)
    watchProblems(page, problems)
    await page.setViewportSize({ width: 1440, height: 900 })
    await signInPage(page, app.url, ada.email)
    await page.goto(`${app.url}/conversations/${conversation.number}`)

    // 1. No copies yet: the fields are folded behind "Cc/Bcc"; the button opens them.
    const toggle = page.getByRole('button', { name: 'Cc/Bcc' })
    await expect.poll(() => toggle.isVisible()).toBe(true)
    expect(await page.locator('#reply-cc').isVisible()).toBe(false)
    await toggle.click()
    expect(await page.locator('#reply-cc').evaluate((el) => el === document.activeElement)).toBe(true)
    await page.getByLabel('Cc', { exact: true }).fill('Boss@Customer.example')

    // 2. The reply is sent with the copy; the next reply form starts with it.
    await page.locator('.reply-form .ql-editor').click()
    await page.keyboard.type(REPLY)
    await page.selectOption('#after-send', 'stay')
    await submit(page, page.locator('.reply-form').getByRole('button', { name: 'Send', exact: true }), '/messages')
    expect(await page.locator('#reply-cc').isVisible()).toBe(true)
    expect(await page.locator('#reply-cc').inputValue()).toBe('boss@customer.example')
    expect(flat(await page.locator('#copies-cc').textContent())).toBe('Cc: boss@customer.example')
    expect(flat(await page.locator('ol.thread').textContent())).toContain('Cc: boss@customer.example')
    expect(flat(await page.locator('.history').textContent())).toContain('Ada Agent set the copies to boss@customer.example')

    // 3. A forward with a bad address is refused with the note kept.
    await page.getByLabel('To', { exact: true }).fill('partner at example')
    await page.getByLabel('Note (above the messages)').fill(NOTE)
    await submit(page, page.getByRole('button', { name: 'Forward', exact: true }), '/forward')
    expect(flat(await page.locator('#forward-error').textContent())).toContain('“partner” is not an e-mail address.')
    expect(await page.getByLabel('Note (above the messages)').inputValue()).toBe(NOTE)

    // 4. Forwarded: the customer's message only, with the note.
    await page.getByLabel('To', { exact: true }).fill('warranty@maker.example')
    await page.selectOption('#forward-which', { label: (await page.locator('#forward-which option').nth(1).textContent())! })
    await submit(page, page.getByRole('button', { name: 'Forward', exact: true }), '/forward')
    expect(flat(await page.locator('.flash').first().textContent())).toContain('Forwarded to warranty@maker.example.')
    expect(flat(await page.locator('.history').textContent())).toContain('Ada Agent forwarded a message to warranty@maker.example')
    await page.screenshot({ path: path.join(ARTIFACTS, 'copies-1440.png'), fullPage: true })

    const forwarded = await capture.waitForMatch((m) => bodyOf(m).includes('curlew-8812'), 20_000)
    expect(forwarded.envelope.rcptTo).toEqual(['warranty@maker.example'])
    expect(forwarded.parsed.subject).toBe(`Fwd: The dryer stopped [#${conversation.number}]`)
    expect(bodyOf(forwarded)).toContain('dunlin-3307')
    expect(bodyOf(forwarded)).not.toContain('plover-4410')
    expect(bodyOf(forwarded).indexOf('curlew-8812')).toBeLessThan(bodyOf(forwarded).indexOf('dunlin-3307'))

    // 5. The reply reaches the customer with the manager in Cc once its undo window is over.
    const reply = await capture.waitForMatch((m) => bodyOf(m).includes('plover-4410'), UNDO_SEND_MS + 20_000)
    expect(reply.envelope.rcptTo.sort()).toEqual(['boss@customer.example', 'carla@customer.example'])
    expect(addressesOf(reply.parsed.cc)).toEqual(['boss@customer.example'])

    // 6. On a phone: the copies open, the forward form fits.
    await page.setViewportSize({ width: 390, height: 844 })
    await page.goto(`${app.url}/conversations/${conversation.number}`)
    expect(await page.locator('#reply-cc').isVisible()).toBe(true)
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    expect(overflow).toBeLessThanOrEqual(0)
    await page.screenshot({ path: path.join(ARTIFACTS, 'copies-390.png'), fullPage: true })

    // The refused forward (step 3) answers 400 on purpose.
    expect(problems.filter((p) => !/status of 400 .*\/forward\)$/.test(p))).toEqual([])
  }, 90_000)
})
