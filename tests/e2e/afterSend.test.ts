import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../src/domain/actor.ts'
import { UNDO_SEND_MS } from '../../src/domain/conversations/commands/withdrawReply.ts'
import { translate } from '../../src/i18n/translate.ts'
import { ARTIFACTS, flat, launchChromium, watchProblems } from '../helpers/browser.ts'
import { buildAgent, buildConversation, buildFolder, PASSWORD } from '../helpers/factories.ts'
import { startSmtpCapture, type CapturedMessage, type SmtpCapture } from '../helpers/smtpCapture.ts'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'

type Browser = Awaited<ReturnType<typeof launchChromium>>

const FIRST_REPLY = 'Your new kettle left our warehouse this morning (ref heron-5120).'
const WITHDRAWN_REPLY = 'Your refund of 1,000 euros is on its way (ref magpie-7731).'
const FRENCH_REPLY = 'Nous vous rappelons demain matin (réf. ibis-2290).'

const bodyOf = (m: CapturedMessage) => flat(m.parsed.text)

/** Types a reply in the rich-text editor, picks where to go next, and sends it. */
async function sendReply(page: Page, text: string, afterSend: 'stay' | 'next' | 'list', landsOn: RegExp) {
  await page.locator('.reply-form .ql-editor').click()
  await page.keyboard.type(text)
  await page.selectOption('#after-send', afterSend)
  // The page may already be at that address (stay): wait for the answer to the post, then the page.
  const posted = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith('/messages'))
  await page.locator('.reply-form .editor-actions button.button-primary').click()
  await posted
  await page.waitForURL(landsOn, { waitUntil: 'load' })
}

describe('after sending a reply, in the browser', () => {
  let app: TestApp
  let capture: SmtpCapture
  let browser: Browser
  let ada: Actor
  const conversations: { id: number; number: number }[] = []
  let folderId: number

  beforeAll(async () => {
    capture = await startSmtpCapture()
    app = await startTestApp({ SMTP_URL: capture.url, MAIL_FROM: 'Support <support@acme.example>' })
    const prisma = app.ctx.db.prisma
    folderId = (await buildFolder(prisma, 'Small appliances')).id
    ada = await buildAgent(prisma, { folderIds: [folderId], name: 'Ada Agent' })
    // Oldest first: the list shows them the other way round.
    for (const [i, subject] of ['The toaster sparks', 'The kettle leaks', 'The blender is loud'].entries()) {
      const c = await buildConversation(app.ctx.domain, ada, { folderId, subject, customerEmail: `customer-${i}@example.com`, customerName: `Customer ${i}` })
      conversations.push({ id: c.id, number: c.number })
    }
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await app?.close()
    await capture?.stop()
  })

  it('goes to the next conversation and remembers it; Undo takes a reply back before any e-mail leaves; one not undone is delivered', async () => {
    const problems: string[] = []
    const page = await browser.context.newPage()
    page.setDefaultTimeout(10_000)
    watchProblems(page, problems)
    await page.setViewportSize({ width: 1440, height: 900 })
    await page.goto(`${app.url}/login`)
    await page.getByLabel('E-mail address').fill(ada.email)
    await page.getByLabel('Password').fill(PASSWORD)
    await Promise.all([page.waitForURL(/\/conversations/), page.getByRole('button', { name: 'Sign in' }).click()])
    const [oldest, middle, newest] = conversations as [(typeof conversations)[0], (typeof conversations)[0], (typeof conversations)[0]]

    // 1. From the folder's list, the newest conversation; "next conversation" leads to the one below it.
    await page.goto(`${app.url}/conversations?tab=all&folder=${folderId}`)
    await Promise.all([
      page.waitForURL(new RegExp(`/conversations/${newest.number}$`)),
      page.locator(`a.row-link[href="/conversations/${newest.number}"]`).click(),
    ])
    expect(await page.locator('#after-send option:checked').getAttribute('value')).toBe('stay')
    await sendReply(page, FIRST_REPLY, 'next', new RegExp(`/conversations/${middle.number}$`))
    const flash = page.locator('.flash.flash-with-undo')
    expect(flat(await flash.textContent())).toContain('Reply sent.')
    // The countdown to the moment the e-mail leaves, seen beside Undo.
    expect(flat(await flash.locator('.undo-countdown').textContent())).toMatch(/^Leaves in (10|9|8|7) s$/)
    await page.screenshot({ path: path.join(ARTIFACTS, 'afterSend-1440.png'), fullPage: true })

    // 2. The choice is remembered: the next page load has it selected.
    await page.reload()
    expect(await page.locator('#after-send option:checked').getAttribute('value')).toBe('next')

    // 3. A reply, then Undo within the window: gone from the thread, its words back in the editor.
    await sendReply(page, WITHDRAWN_REPLY, 'stay', new RegExp(`/conversations/${middle.number}$`))
    expect(flat(await page.locator('ol.thread').textContent())).toContain(WITHDRAWN_REPLY)
    const undoneAt = Date.now()
    await Promise.all([page.waitForURL(/\/withdraw$/), page.locator('.flash-undo').getByRole('button', { name: 'Undo' }).click()])
    expect(flat(await page.locator('.flash').first().textContent())).toContain('Reply withdrawn: it was not sent. Its text is back in the editor.')
    expect(flat(await page.locator('ol.thread').textContent())).not.toContain(WITHDRAWN_REPLY)
    expect(flat(await page.locator('.reply-form .ql-editor').textContent())).toContain(WITHDRAWN_REPLY)
    expect(flat(await page.locator('.history').textContent())).toContain('Ada Agent withdrew a reply before it was sent')
    // Reloaded from the server, it stays gone.
    await page.goto(`${app.url}/conversations/${middle.number}`)
    expect(flat(await page.locator('ol.thread').textContent())).not.toContain(WITHDRAWN_REPLY)

    // 4. The reply not undone reaches the mail server after its window; the withdrawn one never does.
    const delivered = await capture.waitForMatch((m) => bodyOf(m).includes(FIRST_REPLY), UNDO_SEND_MS + 15_000)
    expect(delivered.envelope.rcptTo).toEqual(['customer-2@example.com'])
    await sleep(Math.max(0, undoneAt + UNDO_SEND_MS + 6_000 - Date.now()))
    expect(capture.messages.filter((m) => bodyOf(m).includes('magpie-7731'))).toEqual([])
    expect(await app.ctx.db.prisma.outboxEmail.count({ where: { conversationId: middle.id, kind: 'agent_reply' } })).toBe(0)

    // 5. In French, on a phone: the same, with the confirmation in the agent's language.
    await app.ctx.db.prisma.agent.update({ where: { id: ada.id }, data: { locale: 'fr' } })
    await page.setViewportSize({ width: 390, height: 844 })
    await page.goto(`${app.url}/conversations/${oldest.number}`)
    await sendReply(page, FRENCH_REPLY, 'stay', new RegExp(`/conversations/${oldest.number}$`))
    expect(flat(await page.locator('.flash.flash-with-undo').textContent())).toContain(flat(translate('fr', 'conversation.replySent')))
    await page.screenshot({ path: path.join(ARTIFACTS, 'afterSend-390.png'), fullPage: true })
    // Once the window is over, Undo is gone from the page.
    await page.locator('.flash-undo').waitFor({ state: 'detached', timeout: UNDO_SEND_MS + 2_000 })

    expect(problems).toEqual([])
  }, 120_000)
})
