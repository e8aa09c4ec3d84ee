import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { asCustomer, type Actor } from '../../src/domain/actor.ts'
import { addCustomerMessage } from '../../src/domain/conversations/commands/addCustomerMessage.ts'
import { ARTIFACTS, flat, launchChromium, signInPage, watchProblems } from '../helpers/browser.ts'
import { buildAgent, buildConversation, buildFolder } from '../helpers/factories.ts'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'

type Browser = Awaited<ReturnType<typeof launchChromium>>

describe('merging and splitting conversations in the browser', () => {
  let app: TestApp
  let ada: Actor
  let folderId: number
  let n = 0
  const prisma = () => app.ctx.db.prisma

  beforeAll(async () => {
    app = await startTestApp()
    folderId = (await buildFolder(prisma(), 'Front desk')).id
    ada = await buildAgent(prisma(), { folderIds: [folderId], name: 'Ada Agent' })
  })
  afterAll(async () => {
    await app?.close()
  })

  /** Two conversations of one customer; the first has a second message from them. */
  async function pair() {
    const customerEmail = `e2e-merge-${++n}@customer.example`
    const source = await buildConversation(app.ctx.domain, ada, { folderId, customerEmail, subject: 'Kettle leaks', text: 'The kettle leaks from the base.' })
    await addCustomerMessage(app.ctx.domain, asCustomer(source.customerId), { conversationId: source.id, text: 'It also trips the fuse.' })
    const target = await buildConversation(app.ctx.domain, ada, { folderId, customerEmail, subject: 'Kettle order 4471', text: 'Where is my kettle order?' })
    return { source, target }
  }

  it('merges from the sidebar after a confirmation dialog, lands on the survivor with both threads, then splits a message out', async () => {
    const browser: Browser = await launchChromium()
    const problems: string[] = []
    try {
      const { source, target } = await pair()
      const page = await browser.context.newPage()
      page.setDefaultTimeout(10_000)
      watchProblems(page, problems)
      await page.setViewportSize({ width: 1440, height: 900 })
      await signInPage(page, app.url, ada.email)
      await page.goto(`${app.url}/conversations/${source.number}`)

      // With a script, the dialog confirms: the "I understand" box is not shown.
      expect(await page.locator('[data-merge-understand]').isHidden()).toBe(true)
      await page.getByLabel('Another conversation of this customer').selectOption(String(target.number))
      await page.getByRole('button', { name: 'Merge', exact: true }).click()
      const dialog = page.getByRole('dialog', { name: 'Merge this conversation?' })
      await expect.poll(() => dialog.isVisible()).toBe(true)
      expect(flat(await dialog.textContent())).toContain(`#${target.number} Kettle order 4471`)
      // Cancel is focused first; Escape closes it and nothing happens.
      expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Cancel')
      await page.keyboard.press('Escape')
      await expect.poll(() => dialog.isVisible()).toBe(false)
      expect((await prisma().conversation.findUniqueOrThrow({ where: { id: source.id } })).mergedIntoId).toBeNull()

      await page.getByRole('button', { name: 'Merge', exact: true }).click()
      await Promise.all([page.waitForURL(`${app.url}/conversations/${target.number}`), dialog.getByRole('button', { name: 'Merge' }).click()])
      expect(flat(await page.locator('.flash').textContent())).toBe(`#${source.number} was merged into this conversation.`)
      const thread = flat(await page.locator('.thread').textContent())
      for (const text of ['The kettle leaks from the base.', 'It also trips the fuse.', 'Where is my kettle order?']) expect(thread).toContain(text)
      const history = flat(await page.locator('.history').textContent())
      expect(history).toContain(`merged #${source.number} into this conversation`)
      expect(history).toContain(`(from #${source.number})`)
      await page.screenshot({ path: path.join(ARTIFACTS, 'merge-1440.png'), fullPage: true })

      // The merged conversation says where it went.
      await page.goto(`${app.url}/conversations/${source.number}`)
      await page
        .getByRole('link', { name: `#${target.number}` })
        .first()
        .click()
      await page.waitForURL(`${app.url}/conversations/${target.number}`)

      // Split the second message out: the first one of the thread has no such button.
      const messages = page.locator('.thread > li.message-customer')
      expect(await messages.first().getByRole('button', { name: 'Split into a new conversation' }).count()).toBe(0)
      const fuse = page.locator('.thread > li', { hasText: 'It also trips the fuse.' })
      await Promise.all([page.waitForURL(/\/conversations\/\d+$/), fuse.getByRole('button', { name: 'Split into a new conversation' }).click()])
      const created = await prisma().conversation.findFirstOrThrow({ where: { messages: { some: { bodyText: 'It also trips the fuse.' } } } })
      expect(page.url()).toBe(`${app.url}/conversations/${created.number}`)
      expect(flat(await page.locator('.flash').textContent())).toBe(`The message is now conversation #${created.number}.`)
      expect(flat(await page.locator('.thread').textContent())).toContain('It also trips the fuse.')
      expect(flat(await page.locator('.history').textContent())).toContain(`split this conversation out of #${target.number}`)
      expect(problems).toEqual([])
    } finally {
      await browser.close()
    }
  })

  it('works at 390 px, merges without a script by ticking "I understand", and speaks French', async () => {
    const browser: Browser = await launchChromium({ javaScriptEnabled: false })
    try {
      const { source, target } = await pair()
      const page = await browser.context.newPage()
      page.setDefaultTimeout(10_000)
      await page.setViewportSize({ width: 390, height: 844 })
      await signInPage(page, app.url, ada.email)
      await page.goto(`${app.url}/conversations/${source.number}`)
      const form = page.locator('#merge-form')
      await form.scrollIntoViewIfNeeded()
      // Nothing wider than the screen.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
      await page.screenshot({ path: path.join(ARTIFACTS, 'merge-390.png'), fullPage: true })

      await page.getByLabel('Or its number').fill(String(target.number))
      await page.getByLabel('I understand: this conversation will be closed and its messages moved.').check()
      await Promise.all([page.waitForURL(`${app.url}/conversations/${target.number}`), form.getByRole('button', { name: 'Merge' }).click()])
      expect(flat(await page.locator('.thread').textContent())).toContain('It also trips the fuse.')

      await prisma().agent.update({ where: { id: ada.id }, data: { locale: 'fr' } })
      await page.goto(`${app.url}/conversations/${source.number}`)
      expect(flat(await page.locator('#merge-notice').textContent())).toContain(`Cette conversation a été fusionnée dans #${target.number}.`)
      await page.goto(`${app.url}/conversations/${target.number}`)
      expect(await page.getByRole('heading', { name: 'Fusionner dans une autre conversation' }).count()).toBe(1)
      // Every customer message but the first one of the joined thread.
      expect(await page.getByRole('button', { name: 'Séparer dans une nouvelle conversation' }).count()).toBe(2)
      expect(flat(await page.locator('.history').textContent())).toContain(`(de #${source.number})`)
    } finally {
      await prisma().agent.update({ where: { id: ada.id }, data: { locale: 'en' } })
      await browser.close()
    }
  })
})
