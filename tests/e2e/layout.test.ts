import path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../src/domain/actor.ts'
import { seriousViolations } from '../helpers/accessibility.ts'
import { ARTIFACTS, launchChromium } from '../helpers/browser.ts'
import { buildAgent, buildConversation, buildFolder, PASSWORD } from '../helpers/factories.ts'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'

type Browser = Awaited<ReturnType<typeof launchChromium>>

async function signIn(page: Page, app: TestApp, email: string) {
  page.setDefaultTimeout(15_000)
  await page.context().clearCookies()
  await page.goto(`${app.url}/login`)
  await page.locator('input[name="email"]').fill(email)
  await page.locator('input[name="password"]').fill(PASSWORD)
  // Signing in hashes the password (argon2): under a full parallel run it may take a while.
  await Promise.all([page.waitForURL(/\/conversations/, { timeout: 30_000 }), page.locator('button[type="submit"]').click()])
}

describe('the layout: left column, wide and narrow screens, dark theme, accessibility', { timeout: 90_000 }, () => {
  let app: TestApp
  let browser: Browser
  let admin: Actor
  let agent: Actor
  let billing: { id: number; name: string }
  let hidden: { id: number; name: string }
  let number: number
  let newOne: number

  beforeAll(async () => {
    app = await startTestApp()
    const prisma = app.ctx.db.prisma
    billing = await buildFolder(prisma, 'Billing')
    hidden = await buildFolder(prisma, 'Human resources')
    admin = await buildAgent(prisma, { role: 'admin', name: 'Alice Admin' })
    agent = await buildAgent(prisma, { folderIds: [billing.id], name: 'Bruno Agent' })
    // Billing: two new, one open, one pending, one closed: three to handle.
    for (const status of ['new', 'new', 'open', 'pending', 'closed'] as const) {
      const c = await buildConversation(app.ctx.domain, admin, { folderId: billing.id, status, subject: `Invoice question (${status})` })
      number = c.number
      if (status === 'new') newOne = c.number
    }
    await buildConversation(app.ctx.domain, admin, { folderId: hidden.id, subject: 'Payroll' })
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await app?.close()
  })

  it('lists the folders the agent may see with the work waiting in each, beside the list on a wide screen', async () => {
    const page = await browser.context.newPage()
    await page.setViewportSize({ width: 1440, height: 900 })
    await signIn(page, app, agent.email)
    await page.goto(`${app.url}/conversations`)
    const nav = page.getByRole('navigation', { name: 'Folders and saved searches' })
    await expect.poll(() => nav.isVisible()).toBe(true)
    const link = nav.getByRole('link', { name: /Billing/ })
    expect(await link.textContent()).toMatch(/Billing\s*3/)
    expect(await link.locator('.count').getAttribute('aria-label')).toBe('3 conversations to handle')
    // Folders outside the agent's are not named.
    expect(await nav.textContent()).not.toContain('Human resources')
    // Beside the list, not above it.
    const navBox = (await nav.boundingBox())!
    const mainBox = (await page.locator('main').boundingBox())!
    expect(navBox.x + navBox.width).toBeLessThanOrEqual(mainBox.x + 1)
    expect(mainBox.width).toBeGreaterThan(1100)
    // Choosing a folder keeps the tab and marks the folder as current.
    await page.goto(`${app.url}/conversations?tab=open`)
    await Promise.all([page.waitForURL(/folder=/), nav.getByRole('link', { name: /Billing/ }).click()])
    expect(new URL(page.url()).searchParams.get('tab')).toBe('open')
    expect(await nav.getByRole('link', { name: /Billing/ }).getAttribute('aria-current')).toBe('page')
    await page.screenshot({ path: path.join(ARTIFACTS, 'layout-list-1440.png') })
    // On the conversation page, its folder is the current one; from 1280 px the list the agent came
    // from stands beside it (in the left column's place below 1600 px, both above).
    await page.goto(`${app.url}/conversations?tab=new`)
    await page.goto(`${app.url}/conversations/${newOne}`)
    const split = page.getByRole('complementary', { name: 'The list beside the conversation' })
    await split.waitFor()
    // The pane is placed at once and its rows arrive by a fetch after it.
    await split.locator('.conversation-row.is-current').waitFor()
    expect(await split.locator('.conversation-row.is-current').count()).toBe(1)
    expect(await nav.isVisible()).toBe(false)
    await page.screenshot({ path: path.join(ARTIFACTS, 'layout-split-1440.png') })
    await page.setViewportSize({ width: 1700, height: 900 })
    await nav.waitFor()
    expect(await nav.getByRole('link', { name: /Billing/ }).getAttribute('aria-current')).toBe('page')
    expect(await split.isVisible()).toBe(true)
    // Full width at the agent's choice, remembered by the browser.
    await page.getByRole('button', { name: 'List beside' }).click()
    await split.waitFor({ state: 'detached' })
    await page.reload()
    expect(await page.getByRole('button', { name: 'List beside' }).getAttribute('aria-pressed')).toBe('false')
    expect(await split.count()).toBe(0)
    await page.getByRole('button', { name: 'List beside' }).click()
    await split.waitFor()
    await page.close()
  })

  it('fits a 390 px phone without sideways scrolling, and follows the system’s dark theme', { timeout: 90_000 }, async () => {
    const page = await browser.context.newPage()
    await signIn(page, app, admin.email)
    // A phone from here on (signing in is not what this looks at).
    await page.setViewportSize({ width: 390, height: 844 })
    for (const url of ['/conversations', `/conversations/${number}`, '/settings']) {
      await page.goto(`${app.url}${url}`)
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
      expect(overflow, `${url} scrolls sideways at 390 px`).toBeLessThanOrEqual(0)
    }
    await page.goto(`${app.url}/conversations`)
    await page.screenshot({ path: path.join(ARTIFACTS, 'layout-list-390.png') })
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor)
    await page.emulateMedia({ colorScheme: 'light' })
    const light = await background()
    await page.emulateMedia({ colorScheme: 'dark' })
    const dark = await background()
    expect(dark).not.toBe(light)
    // Dark means dark: the background's lightness is low.
    const [r, g, b] = dark.match(/\d+/g)!.map(Number) as [number, number, number]
    expect((r + g + b) / 3).toBeLessThan(60)
    await page.screenshot({ path: path.join(ARTIFACTS, 'layout-list-390-dark.png') })
    await page.setViewportSize({ width: 1440, height: 900 })
    await page.goto(`${app.url}/conversations/${number}`)
    await page.screenshot({ path: path.join(ARTIFACTS, 'layout-conversation-1440-dark.png') })
    await page.emulateMedia({ colorScheme: 'light' })
    await page.close()
  })

  it('has no serious accessibility violation on the list, conversation and settings pages, light or dark, wide or narrow', async () => {
    const page = await browser.context.newPage()
    await signIn(page, app, admin.email)
    const found: string[] = []
    for (const [width, scheme] of [
      [1440, 'light'],
      [390, 'dark'],
    ] as const) {
      await page.setViewportSize({ width, height: 900 })
      await page.emulateMedia({ colorScheme: scheme })
      for (const url of ['/conversations', `/conversations/${number}`, '/settings', '/settings/folders', '/profile']) {
        await page.goto(`${app.url}${url}`)
        await page.waitForLoadState('networkidle').catch(() => {})
        for (const v of await seriousViolations(page))
          found.push(`${url} ${width}px ${scheme}: ${v.id} (${v.impact}) ${v.help}: ${v.targets.slice(0, 3).join(', ')}`)
      }
    }
    expect(found).toEqual([])
    await page.close()
  })
})
