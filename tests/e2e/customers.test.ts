import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../src/domain/actor.ts'
import { receiveRawMessage } from '../../src/mail/inbound/intake.ts'
import { ARTIFACTS, flat, launchChromium, signInPage, watchProblems } from '../helpers/browser.ts'
import { buildAgent, buildConversation, buildFolder } from '../helpers/factories.ts'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'

/** A customer's e-mail as the mail server hands it over. */
const email = (from: string, subject: string, id: string) =>
  Buffer.from(
    [`From: ${from}`, 'To: help@acme.example', `Subject: ${subject}`, `Message-ID: <${id}@cleo.example>`, '', 'Hello, about my order.', ''].join('\r\n'),
  )

describe('customer profiles in the browser', () => {
  let app: TestApp
  let admin: Actor
  let folder: { id: number }
  const prisma = () => app.ctx.db.prisma
  const receive = (raw: Buffer) => receiveRawMessage(app.ctx.domain, { source: 'smtp', raw, envelopeTo: ['help@acme.example'] })

  beforeAll(async () => {
    app = await startTestApp()
    folder = await buildFolder(prisma(), 'Support desk')
    admin = await buildAgent(prisma(), { role: 'admin', name: 'Ada Admin' })
  })
  afterAll(async () => {
    await app?.close()
  })

  it('opens the profile from a conversation, edits it, adds an address, merges a duplicate and blocks the sender', async () => {
    const browser = await launchChromium()
    const problems: string[] = []
    try {
      const conversation = await buildConversation(app.ctx.domain, admin, {
        folderId: folder.id,
        customerEmail: 'cleo@cleo.example',
        customerName: 'Cleo Martin',
        subject: 'Broken teapot lid',
      })
      await receive(email('Cleo M <cleo.perso@cleo.example>', 'Teapot again, from home', 'dup-1'))
      const page = await browser.context.newPage()
      page.setDefaultTimeout(10_000)
      watchProblems(page, problems)
      await page.setViewportSize({ width: 1440, height: 900 })
      await signInPage(page, app.url, admin.email)

      // From the conversation's customer card to the profile.
      await page.goto(`${app.url}/conversations/${conversation.number}`)
      await Promise.all([page.waitForURL(/\/customers\/\d+$/), page.getByRole('link', { name: 'Customer profile' }).click()])
      expect(flat(await page.locator('h1').textContent())).toBe('Cleo Martin')
      expect(await page.locator('.customer-main').textContent()).toContain('Broken teapot lid')

      // Organisation and notes.
      await page.getByLabel('Organisation').fill('Théières & Co')
      await page.getByLabel('Notes').fill('Prefers e-mail. Collector of teapots.')
      await Promise.all([page.waitForURL(/\/customers\/\d+$/), page.getByRole('button', { name: 'Save' }).click()])
      expect(flat(await page.locator('.flash').textContent())).toBe('Customer saved.')
      expect(await page.getByLabel('Organisation').inputValue()).toBe('Théières & Co')

      // Another address.
      await page.getByLabel('Another address').fill('cleo.work@cleo.example')
      await Promise.all([page.waitForURL(/\/customers\/\d+$/), page.getByRole('button', { name: 'Add the address' }).click()])
      expect(flat(await page.locator('.flash').textContent())).toBe('cleo.work@cleo.example added.')
      expect(await page.locator('.customer-addresses').textContent()).toContain('cleo.work@cleo.example')

      // The duplicate who wrote from home.
      await page.getByLabel('Address of the duplicate').fill('cleo.perso@cleo.example')
      await Promise.all([page.waitForURL(/\/customers\/\d+$/), page.getByRole('button', { name: 'Merge into this customer' }).click()])
      expect(flat(await page.locator('.flash').textContent())).toBe('cleo.perso@cleo.example merged into this customer: 1 conversation moved.')
      const main = await page.locator('.customer-main').textContent()
      expect(main).toContain('Broken teapot lid')
      expect(main).toContain('Teapot again, from home')
      expect(await page.locator('.customer-addresses').textContent()).toContain('cleo.perso@cleo.example')
      await page.screenshot({ path: path.join(ARTIFACTS, 'customers-1440.png'), fullPage: true })
      const profileUrl = page.url()

      // Blocking: the next e-mail lands in Spam, not in the list.
      await Promise.all([page.waitForURL(/\/customers\/\d+$/), page.getByRole('button', { name: 'Block this sender' }).click()])
      expect(flat(await page.locator('.flash').textContent())).toBe('Sender blocked: their e-mails now go to Spam.')
      await receive(email('cleo.work@cleo.example', 'Buy cheap teapots now', 'spam-1'))
      await page.goto(`${app.url}/conversations?tab=all`)
      expect(await page.locator('main').textContent()).not.toContain('Buy cheap teapots now')
      expect(await page.locator('main').textContent()).toContain('Broken teapot lid')
      await Promise.all([page.waitForURL(/\/spam$/), page.locator('.sidenav').getByRole('link', { name: 'Spam' }).click()])
      const row = page.locator('.spam-table tbody tr')
      expect(await row.count()).toBe(1)
      expect(flat(await row.textContent())).toContain('cleo.work@cleo.example Buy cheap teapots now')

      // At 390 px the profile still reads and works.
      await page.setViewportSize({ width: 390, height: 844 })
      await page.goto(profileUrl)
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
      expect(overflow).toBeLessThanOrEqual(0)
      await page.screenshot({ path: path.join(ARTIFACTS, 'customers-390.png'), fullPage: true })

      // The same page in French.
      await prisma().agent.update({ where: { id: admin.id }, data: { locale: 'fr' } })
      await page.setViewportSize({ width: 1440, height: 900 })
      await page.goto(profileUrl)
      expect(flat(await page.locator('#customer-merge-title').textContent())).toBe('Fusionner un doublon')
      expect(await page.getByRole('button', { name: 'Débloquer' }).count()).toBe(1)
      expect(await page.getByLabel('Autre adresse').count()).toBe(1)
      expect(problems).toEqual([])
    } finally {
      await browser.close()
    }
  }, 120_000)
})
