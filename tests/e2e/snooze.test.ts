import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SYSTEM, type Actor } from '../../src/domain/actor.ts'
import { wakeSnoozedConversations } from '../../src/domain/lifecycle/wakeSnoozed.ts'
import { ARTIFACTS, flat, launchChromium, signInPage, watchProblems } from '../helpers/browser.ts'
import { buildAgent, buildConversation, buildFolder, testClock } from '../helpers/factories.ts'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'

type Browser = Awaited<ReturnType<typeof launchChromium>>

describe('snoozing a conversation in the browser', () => {
  // Monday 4 January 2027, 10:00 in Paris.
  const time = testClock(new Date('2027-01-04T09:00:00Z'))
  let app: TestApp
  let ada: Actor
  let folderId: number
  const prisma = () => app.ctx.db.prisma

  beforeAll(async () => {
    app = await startTestApp({}, { clock: time.clock })
    folderId = (await buildFolder(prisma(), 'Lamps')).id
    ada = await buildAgent(prisma(), { folderIds: [folderId], name: 'Ada Agent' })
    await prisma().agent.update({ where: { id: ada.id }, data: { timeZone: 'Europe/Paris' } })
  })
  afterAll(async () => {
    await app?.close()
  })

  const rowIds = (page: import('playwright-core').Page) =>
    page.locator('.conversation-row').evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.conversationId)))

  it('hides it until a moment in the agent’s zone, lists it under Snoozed, and brings it back to the top when the time comes', async () => {
    const browser: Browser = await launchChromium()
    const problems: string[] = []
    try {
      const sleepy = await buildConversation(app.ctx.domain, ada, { folderId, status: 'open', assigneeId: ada.id, subject: 'The lamp flickers at night' })
      time.advance(60_000)
      const other = await buildConversation(app.ctx.domain, ada, { folderId, status: 'open', subject: 'The shade is dented' })
      const page = await browser.context.newPage()
      page.setDefaultTimeout(10_000)
      watchProblems(page, problems)
      await page.setViewportSize({ width: 1440, height: 900 })
      await signInPage(page, app.url, ada.email)
      await page.goto(`${app.url}/conversations?tab=open`)
      expect(await rowIds(page)).toEqual([other.id, sleepy.id])

      // The menu offers its moments in Paris time: tomorrow and next Monday at 9:00.
      await page.goto(`${app.url}/conversations/${sleepy.number}`)
      const menu = page.locator('#snooze-form')
      expect(flat(await menu.locator('label[for="snooze-tomorrow"]').textContent())).toBe('Tomorrow, Tue, Jan 5, 9:00 AM')
      expect(flat(await menu.locator('label[for="snooze-nextMonday"]').textContent())).toBe('Next Monday, Mon, Jan 11, 9:00 AM')
      // A moment typed in: 14:30 in Paris on Tuesday (typing it chooses it).
      await page.locator('#snooze-at').fill('2027-01-05T14:30')
      expect(await page.locator('#snooze-custom').isChecked()).toBe(true)
      await page.locator('#snooze-submit').click()
      await page.waitForURL(`${app.url}/conversations/${sleepy.number}`)
      expect(flat(await page.locator('.flash').first().textContent())).toContain('Snoozed until Tue, Jan 5, 2:30 PM.')
      expect(flat(await page.locator('#snooze-notice p').textContent())).toBe('Snoozed until Tue, Jan 5, 2:30 PM')
      expect((await prisma().conversation.findUniqueOrThrow({ where: { id: sleepy.id } })).snoozedUntil).toEqual(new Date('2027-01-05T13:30:00Z'))
      expect(flat(await page.locator('.history').textContent())).toContain('snoozed it until')
      await page.screenshot({ path: path.join(ARTIFACTS, 'snooze-1440.png'), fullPage: true })

      // Gone from Open (and its count), waiting in Snoozed with its moment.
      await page.goto(`${app.url}/conversations?tab=open`)
      expect(await rowIds(page)).toEqual([other.id])
      expect(flat(await page.locator('.tab[aria-current="page"] .count').textContent())).toBe('1')
      await page.locator('.tab', { hasText: 'Snoozed' }).click()
      await page.waitForURL(/tab=snoozed/)
      expect(await rowIds(page)).toEqual([sleepy.id])
      expect(flat(await page.locator('.row-snooze').textContent())).toBe('until Tue, Jan 5, 2:30 PM')
      await page.setViewportSize({ width: 390, height: 844 })
      await page.screenshot({ path: path.join(ARTIFACTS, 'snooze-390.png'), fullPage: true })
      await page.setViewportSize({ width: 1440, height: 900 })

      // The clock passes the moment; the job runs: back at the top of Open, above the newer one.
      time.set(new Date('2027-01-05T13:31:00Z'))
      expect(await wakeSnoozedConversations(app.ctx.domain, SYSTEM)).toBe(1)
      await page.goto(`${app.url}/conversations?tab=open`)
      expect(await rowIds(page)).toEqual([sleepy.id, other.id])
      await page.goto(`${app.url}/conversations?tab=snoozed`)
      expect(await rowIds(page)).toEqual([])
      await page.goto(`${app.url}/conversations/${sleepy.number}`)
      expect(await page.locator('#snooze-notice').count()).toBe(0)
      expect(flat(await page.locator('.history').textContent())).toContain('brought it back: its snooze ended')
      expect(problems).toEqual([])
    } finally {
      await browser.close()
    }
  })

  it('in French: snoozes until the customer answers, and Unsnooze brings it back at once', async () => {
    const browser: Browser = await launchChromium()
    const problems: string[] = []
    try {
      await prisma().agent.update({ where: { id: ada.id }, data: { locale: 'fr' } })
      const c = await buildConversation(app.ctx.domain, ada, { folderId, status: 'pending', subject: 'La lampe clignote' })
      const page = await browser.context.newPage()
      page.setDefaultTimeout(10_000)
      watchProblems(page, problems)
      await signInPage(page, app.url, ada.email)
      await page.goto(`${app.url}/conversations/${c.number}`)
      expect(flat(await page.locator('#snooze-title').textContent())).toBe('Reporter')
      expect(flat(await page.locator('label[for="snooze-customer"]').textContent())).toBe('Quand le client répond')
      await page.locator('label[for="snooze-customer"]').click()
      await page.locator('#snooze-submit').click()
      await page.waitForURL(`${app.url}/conversations/${c.number}`)
      expect(flat(await page.locator('#snooze-notice p').textContent())).toBe('Reportée jusqu’à la réponse du client')
      await page.goto(`${app.url}/conversations?tab=snoozed`)
      expect(flat(await page.locator('.tab[aria-current="page"]').textContent())).toMatch(/^Reportées 1$/)
      expect(flat(await page.locator('.row-snooze').textContent())).toBe('jusqu’à la réponse du client')
      await page.goto(`${app.url}/conversations/${c.number}`)
      await page.locator('#unsnooze').click()
      await page.waitForURL(`${app.url}/conversations/${c.number}`)
      expect(flat(await page.locator('.flash').first().textContent())).toContain('La conversation est de retour dans son onglet.')
      expect(await page.locator('#snooze-notice').count()).toBe(0)
      expect((await prisma().conversation.findUniqueOrThrow({ where: { id: c.id } })).snoozedAt).toBeNull()
      expect(problems).toEqual([])
    } finally {
      await prisma().agent.update({ where: { id: ada.id }, data: { locale: 'en' } })
      await browser.close()
    }
  })
})
