import path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ARTIFACTS, launchChromium, signInPage, watchProblems } from '../helpers/browser.ts'
import { ADMIN, setUpAndSignIn, startTestApp, type TestApp } from '../helpers/testApp.ts'

describe('a folder’s business hours in the browser, without JavaScript', () => {
  let app: TestApp
  let browser: Awaited<ReturnType<typeof launchChromium>>
  let page: Page
  const problems: string[] = []

  beforeAll(async () => {
    app = await startTestApp()
    await setUpAndSignIn(app)
    browser = await launchChromium({ javaScriptEnabled: false })
    page = await browser.context.newPage()
    watchProblems(page, problems)
    await signInPage(page, app.url, ADMIN.email, ADMIN.password)
  })
  afterAll(async () => {
    await browser?.close()
    await app?.close()
  })

  it('sets weekly hours, a holiday and the ratings switch through the form', async () => {
    const folder = await app.ctx.db.prisma.folder.findFirstOrThrow({ where: { name: 'General' } })
    await page.goto(`${app.url}/settings/folders/${folder.id}`)
    await page.getByLabel('Time zone').selectOption('America/New_York')
    await page.getByLabel('Satisfaction ratings in e-mails').check()
    await page.getByLabel('These opening hours').check()
    await page.getByLabel('Opens on Monday').fill('08:30')
    await page.getByLabel('Closes on Friday').fill('16:00')
    await page.getByLabel('Closed on Wednesday').check()
    await page.getByLabel('Holidays (closed all day)').fill('2026-11-26\n2026-12-25')
    await page.screenshot({ path: path.join(ARTIFACTS, 'folder-business-hours.png'), fullPage: true })
    await Promise.all([page.waitForURL(`${app.url}/settings/folders/${folder.id}`), page.getByRole('button', { name: 'Save' }).click()])
    expect(await page.getByText('Folder “General” saved.').isVisible()).toBe(true)
    const saved = await app.ctx.db.prisma.folder.findUniqueOrThrow({ where: { id: folder.id } })
    expect(saved).toMatchObject({ timeZone: 'America/New_York', ratingsEnabled: true })
    expect(saved.businessHours).toEqual({
      week: {
        mon: [['08:30', '17:00']],
        tue: [['09:00', '17:00']],
        wed: [],
        thu: [['09:00', '17:00']],
        fri: [['09:00', '16:00']],
        sat: [],
        sun: [],
      },
      holidays: ['2026-11-26', '2026-12-25'],
    })
    expect(await page.getByLabel('Opens on Monday').inputValue()).toBe('08:30')
    expect(await page.getByLabel('Closed on Wednesday').isChecked()).toBe(true)
    expect(problems).toEqual([])
  })
})
