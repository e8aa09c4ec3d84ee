import path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { asCustomer, type Actor } from '../../src/domain/actor.ts'
import { addCustomerMessage } from '../../src/domain/conversations/commands/addCustomerMessage.ts'
import { ARTIFACTS, flat, gotoLive, launchChromium, signInPage, watchProblems } from '../helpers/browser.ts'
import { buildAgent, buildConversation, buildFolder } from '../helpers/factories.ts'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'

type Browser = Awaited<ReturnType<typeof launchChromium>>

describe('notifications, with two agents in the browser', () => {
  let app: TestApp
  let alicesBrowser: Browser
  let brunosBrowser: Browser
  let alice: Actor
  let bruno: Actor
  let folderId: number

  beforeAll(async () => {
    app = await startTestApp()
    const prisma = app.ctx.db.prisma
    folderId = (await buildFolder(prisma, 'Coffee machines')).id
    alice = await buildAgent(prisma, { folderIds: [folderId], name: 'Alice Arnaud' })
    bruno = await buildAgent(prisma, { folderIds: [folderId], name: 'Bruno Bernard' })
    // A colleague whose name also starts like Bruno's, so that the picker has a choice to make.
    await buildAgent(prisma, { folderIds: [folderId], name: 'Brune Blanc' })
    ;[alicesBrowser, brunosBrowser] = await Promise.all([launchChromium(), launchChromium()])
  })
  afterAll(async () => {
    await alicesBrowser?.close()
    await brunosBrowser?.close()
    await app?.close()
  })

  const bell = (page: Page) => page.locator('#bell-link')
  const bellCount = (page: Page) => page.locator('[data-bell-count]')

  it('Alice names @Bruno in a comment: his bell counts it live; the centre leads to the conversation, which reads it; following brings customer replies', async () => {
    const problems: string[] = []
    const prisma = app.ctx.db.prisma
    const c = await buildConversation(app.ctx.domain, alice, { folderId, subject: 'The espresso machine leaks', customerEmail: 'lea@example.com' })
    const followed = await buildConversation(app.ctx.domain, alice, { folderId, subject: 'Grinder too noisy', customerEmail: 'tom@example.com' })

    const brunoPage = await brunosBrowser.context.newPage()
    brunoPage.setDefaultTimeout(10_000)
    watchProblems(brunoPage, problems, 'Bruno')
    await brunoPage.setViewportSize({ width: 1440, height: 900 })
    await signInPage(brunoPage, app.url, bruno.email)
    await gotoLive(brunoPage, `${app.url}/conversations`)
    expect(await bell(brunoPage).getAttribute('aria-label')).toBe('Notifications, none unread')
    expect(await bellCount(brunoPage).isHidden()).toBe(true)

    // 1. Alice writes an internal comment; "@bru" offers the agents of the folder, Enter picks one.
    const alicePage = await alicesBrowser.context.newPage()
    alicePage.setDefaultTimeout(10_000)
    watchProblems(alicePage, problems, 'Alice')
    await alicePage.setViewportSize({ width: 1440, height: 900 })
    await signInPage(alicePage, app.url, alice.email)
    await alicePage.goto(`${app.url}/conversations/${c.number}`)
    await alicePage.getByRole('radio', { name: 'Internal comment' }).check()
    await alicePage.locator('.reply-form .ql-editor').click()
    await alicePage.keyboard.type('Could @bru')
    const options = alicePage.getByRole('listbox', { name: 'Agents you can mention' }).getByRole('option')
    await expect.poll(() => options.allTextContents()).toEqual([expect.stringContaining('Brune Blanc'), expect.stringContaining('Bruno Bernard')])
    await alicePage.keyboard.press('ArrowDown')
    expect(await alicePage.locator('.reply-form .ql-editor').getAttribute('aria-activedescendant')).toBe(`mention-option-${bruno.id}`)
    await alicePage.keyboard.press('Enter')
    await alicePage.keyboard.type('check the seal?')
    expect(flat(await alicePage.locator('.reply-form .ql-editor').textContent())).toBe('Could @Bruno Bernard check the seal?')
    await alicePage.getByText('Draft saved').waitFor()
    const posted = alicePage.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith('/messages'))
    await alicePage.getByRole('button', { name: 'Add comment' }).click()
    await posted

    // 2. Bruno's bell counts it without a reload.
    await expect.poll(() => bellCount(brunoPage).textContent(), { timeout: 10_000 }).toBe('1')
    expect(await bell(brunoPage).getAttribute('aria-label')).toBe('Notifications, 1 unread')

    // 3. The bell opens the latest; the centre lists it; its link opens the conversation and reads it.
    await bell(brunoPage).click()
    expect(await bell(brunoPage).getAttribute('aria-expanded')).toBe('true')
    const panel = brunoPage.locator('#bell-panel')
    await expect.poll(() => panel.locator('.notification').count()).toBe(1)
    expect(flat(await panel.locator('.notification').textContent())).toContain('Alice Arnaud mentioned you')
    await brunoPage.keyboard.press('Escape')
    expect(await panel.isHidden()).toBe(true)
    await Promise.all([brunoPage.waitForURL(/\/notifications$/), brunoPage.goto(`${app.url}/notifications`)])
    const item = brunoPage.locator('.notifications-page .notification')
    expect(flat(await item.textContent())).toContain('The espresso machine leaks')
    expect(await item.getAttribute('class')).toContain('is-unread')
    await brunoPage.screenshot({ path: path.join(ARTIFACTS, 'notifications-1440.png'), fullPage: true })
    await Promise.all([brunoPage.waitForURL(new RegExp(`/conversations/${c.number}$`)), item.locator('a.notification-link').click()])
    expect(await prisma.notification.count({ where: { agentId: bruno.id, readAt: null } })).toBe(0)
    expect(await bellCount(brunoPage).isHidden()).toBe(true)
    expect(await bell(brunoPage).getAttribute('aria-label')).toBe('Notifications, none unread')

    // 4. Bruno follows another conversation; the customer's reply raises his bell, live.
    await brunoPage.goto(`${app.url}/conversations/${followed.number}`)
    await Promise.all([brunoPage.waitForURL(new RegExp(`/conversations/${followed.number}$`)), brunoPage.getByRole('button', { name: 'Follow' }).click()])
    expect(await brunoPage.locator('#follow-button').textContent()).toBe('Following — stop')
    await gotoLive(brunoPage, `${app.url}/notifications`)
    await addCustomerMessage(app.ctx.domain, asCustomer(followed.customerId), { conversationId: followed.id, text: 'It still grinds loudly.' })
    await expect.poll(() => bellCount(brunoPage).textContent(), { timeout: 10_000 }).toBe('1')
    await brunoPage.reload()
    expect(flat(await brunoPage.locator('.notifications-page .notification.is-unread').textContent())).toContain('The customer replied (you follow it)')

    // 5. At 390 px wide, the bell and the centre still fit.
    await brunoPage.setViewportSize({ width: 390, height: 844 })
    await brunoPage.reload()
    expect(await brunoPage.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    expect(await bell(brunoPage).isVisible()).toBe(true)
    await brunoPage.screenshot({ path: path.join(ARTIFACTS, 'notifications-390.png'), fullPage: true })

    // 6. In French.
    await prisma.agent.update({ where: { id: bruno.id }, data: { locale: 'fr' } })
    await brunoPage.goto(`${app.url}/conversations/${followed.number}`)
    expect(await bell(brunoPage).getAttribute('aria-label')).toBe('Notifications, aucune non lue')
    expect(await brunoPage.locator('#follow-button').textContent()).toBe('Suivie — ne plus suivre')
    await brunoPage.goto(`${app.url}/notifications`)
    expect(flat(await brunoPage.locator('h1').textContent())).toBe('Notifications')
    expect(flat(await brunoPage.locator('.notification-text').first().textContent())).toContain('Le client a répondu (vous la suivez)')

    expect(problems).toEqual([])
  }, 120_000)
})
