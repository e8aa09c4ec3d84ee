import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ARTIFACTS, launchChromium } from '../helpers/browser.ts'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'

describe('a newcomer in the browser', () => {
  let app: TestApp
  let browser: Awaited<ReturnType<typeof launchChromium>>
  beforeAll(async () => {
    app = await startTestApp()
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await app?.close()
  })

  it('sets up the first administrator, lands on the dashboard, signs out and in again', async () => {
    const page = await browser.context.newPage()
    page.setDefaultTimeout(10_000)
    const problems: string[] = []
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text())
    })
    page.on('pageerror', (e) => problems.push(e.message))

    await page.goto(app.url)
    await expect.poll(() => page.url()).toContain('/setup')
    await page.getByLabel('Your name').fill('Ada Admin')
    await page.getByLabel('E-mail address').fill('ada@example.test')
    await page.getByLabel('Password').fill('correct horse battery')
    await page.screenshot({ path: path.join(ARTIFACTS, 'first-run-setup.png'), fullPage: true })
    await page.getByRole('button', { name: 'Create administrator' }).click()

    await page.waitForURL(/\/conversations/)
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('New conversations')
    expect(await page.getByRole('status').textContent()).toContain('Welcome, Ada Admin')
    expect(await page.getByRole('navigation', { name: 'Conversation lists' }).getByRole('link').count()).toBe(8) // New, Open, Pending, Closed, All, Mine, Unassigned, Snoozed
    await page.screenshot({ path: path.join(ARTIFACTS, 'first-run-dashboard.png'), fullPage: true })

    // Keyboard: the skip link is the first stop and leads to the content.
    await page.keyboard.press('Tab')
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content')

    await page.locator('.agent-menu summary').click()
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.waitForURL(/\/login/)

    await page.getByLabel('E-mail address').fill('ada@example.test')
    await page.getByLabel('Password').fill('correct horse battery')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL(/\/conversations/)
    expect(await page.getByRole('link', { name: 'Settings' }).count()).toBe(1)

    await page.setViewportSize({ width: 390, height: 844 })
    await page.screenshot({ path: path.join(ARTIFACTS, 'first-run-dashboard-mobile.png'), fullPage: true })
    expect(problems).toEqual([])
  })
})
