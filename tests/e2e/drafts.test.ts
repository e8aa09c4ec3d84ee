import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../src/domain/actor.ts'
import { ARTIFACTS, flat, gotoLive, launchChromium, signInPage, watchProblems } from '../helpers/browser.ts'
import { buildAgent, buildConversation, buildFolder } from '../helpers/factories.ts'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'

type Browser = Awaited<ReturnType<typeof launchChromium>>

describe('drafts in the browser: kept as the agent types, found again on another device, seen by the others', () => {
  let app: TestApp
  let alice: Actor
  let bruno: Actor
  let conversation: { id: number; number: number }
  let folderId: number
  const browsers: Browser[] = []

  beforeAll(async () => {
    app = await startTestApp()
    const prisma = app.ctx.db.prisma
    const folder = await buildFolder(prisma, 'Kitchen appliances')
    folderId = folder.id
    alice = await buildAgent(prisma, { folderIds: [folder.id], name: 'Alice Martin' })
    bruno = await buildAgent(prisma, { folderIds: [folder.id], name: 'Bruno Agent' })
    const created = await buildConversation(app.ctx.domain, alice, { folderId: folder.id, subject: 'The blender lid does not close' })
    conversation = { id: created.id, number: created.number }
  })
  afterAll(async () => {
    for (const b of browsers) await b.close()
    await app?.close()
  })

  const draftRow = (conversationId = conversation.id) =>
    app.ctx.db.prisma.draft.findUnique({ where: { agentId_conversationId: { agentId: alice.id, conversationId } } })

  it('saves while Alice types, survives a reload and another device, shows "Alice has a draft" to Bruno live, and goes when she sends', async () => {
    const problems: string[] = []
    const [aliceBrowser, brunoBrowser, aliceOtherDevice] = [await launchChromium(), await launchChromium(), await launchChromium()]
    browsers.push(aliceBrowser, brunoBrowser, aliceOtherDevice)
    const a = await aliceBrowser.context.newPage()
    const b = await brunoBrowser.context.newPage()
    for (const [page, who] of [
      [a, 'Alice'],
      [b, 'Bruno'],
    ] as const) {
      page.setDefaultTimeout(10_000)
      watchProblems(page, problems, who)
    }
    await a.setViewportSize({ width: 1440, height: 900 })
    await b.setViewportSize({ width: 390, height: 844 })
    await signInPage(a, app.url, alice.email)
    await signInPage(b, app.url, bruno.email)
    const url = `${app.url}/conversations/${conversation.number}`
    await gotoLive(b, url)
    await gotoLive(a, url)
    const notice = b.locator('#drafts-notice')
    expect(flat(await notice.textContent())).toBe('')

    // 1. Alice types; a second after she stops, the draft is on the server and the page says so quietly.
    const editor = a.locator('.reply-form .ql-editor')
    await editor.click()
    await a.keyboard.type('Hello Casey, a new lid is on its way. ')
    await a.keyboard.press('Control+b')
    await a.keyboard.type('It ships today.')
    await expect.poll(async () => flat(await a.locator('#draft-status').textContent()), { timeout: 5_000 }).toBe('Draft saved')
    expect(await a.locator('#draft-status').getAttribute('role')).toBe('status')
    const saved = await draftRow()
    expect(saved?.text).toBe('Hello Casey, a new lid is on its way. It ships today.')
    expect(saved?.html).toContain('<strong>It ships today.</strong>')

    // 2. Bruno, on the same conversation, is told without a reload.
    await b.evaluate(() => ((window as unknown as { __noReload: number }).__noReload = 7))
    await expect.poll(async () => flat(await notice.textContent()), { timeout: 5_000 }).toBe('Alice Martin has a draft reply here.')
    expect(await b.evaluate(() => (window as unknown as { __noReload?: number }).__noReload)).toBe(7)
    await b.screenshot({ path: path.join(ARTIFACTS, 'drafts-390.png'), fullPage: true })

    // 3. A reload brings the draft back, with its formatting.
    await gotoLive(a, url)
    expect(flat(await editor.textContent())).toBe('Hello Casey, a new lid is on its way. It ships today.')
    expect(await editor.locator('strong').textContent()).toBe('It ships today.')
    expect(flat(await a.locator('#draft-status').textContent())).toBe('Draft saved')
    await a.screenshot({ path: path.join(ARTIFACTS, 'drafts-1440.png'), fullPage: true })

    // 4. Another device: the same draft.
    const other = await aliceOtherDevice.context.newPage()
    watchProblems(other, problems, 'Alice (other device)')
    await signInPage(other, app.url, alice.email)
    await other.goto(url)
    expect(flat(await other.locator('.reply-form .ql-editor').textContent())).toBe('Hello Casey, a new lid is on its way. It ships today.')
    await other.close()

    // 5. Alice sends: the draft goes with the send, and Bruno's notice goes too.
    await a.locator('.reply-form .editor-actions button.button-primary').click()
    await a.waitForSelector('.flash', { timeout: 10_000 })
    expect(await draftRow()).toBeNull()
    await expect.poll(async () => flat(await notice.textContent()), { timeout: 10_000 }).toBe('')
    expect(flat(await a.locator('.reply-form .ql-editor').textContent())).toBe('')
    // Nothing came back from a late save.
    await a.waitForTimeout(1500)
    expect(await draftRow()).toBeNull()
    expect(problems).toEqual([])
  }, 90_000)

  it('a failed save keeps the words and says "Not saved", then saves once the server answers again', async () => {
    const browser = await launchChromium()
    browsers.push(browser)
    const page = await browser.context.newPage()
    page.setDefaultTimeout(10_000)
    await signInPage(page, app.url, alice.email)
    const other = await buildConversation(app.ctx.domain, alice, { folderId: folderId, subject: 'The toaster burns the bread' })
    await gotoLive(page, `${app.url}/conversations/${other.number}`)
    let refuse = true
    await page.route('**/draft', (route) => (refuse && route.request().method() === 'PUT' ? route.fulfill({ status: 503, body: '' }) : route.continue()))
    await page.locator('.reply-form .ql-editor').click()
    await page.keyboard.type('Words that must not be lost')
    await expect.poll(async () => flat(await page.locator('#draft-status').textContent()), { timeout: 10_000 }).toBe('Not saved: trying again…')
    expect(flat(await page.locator('.reply-form .ql-editor').textContent())).toBe('Words that must not be lost')
    refuse = false
    await expect.poll(async () => flat(await page.locator('#draft-status').textContent()), { timeout: 15_000 }).toBe('Draft saved')
    expect((await draftRow(other.id))?.text).toBe('Words that must not be lost')
  }, 60_000)
})
