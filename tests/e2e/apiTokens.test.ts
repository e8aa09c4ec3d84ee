import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../src/domain/actor.ts'
import { seriousViolations } from '../helpers/accessibility.ts'
import { ARTIFACTS, flat, launchChromium, signInPage, watchProblems } from '../helpers/browser.ts'
import { buildAgent } from '../helpers/factories.ts'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'

type Browser = Awaited<ReturnType<typeof launchChromium>>

describe('personal API tokens and the API reference in the browser', { timeout: 120_000 }, () => {
  let app: TestApp
  let browser: Browser
  let rita: Actor

  beforeAll(async () => {
    app = await startTestApp()
    rita = await buildAgent(app.ctx.db.prisma, { name: 'Rita Ramos' })
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await app?.close()
  })

  it('an agent makes a token in the profile, copies it, calls the API with it, then revokes it', async () => {
    const problems: string[] = []
    const page = await browser.context.newPage()
    page.setDefaultTimeout(10_000)
    watchProblems(page, problems)
    await page.setViewportSize({ width: 1440, height: 900 })
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url })
    await signInPage(page, app.url, rita.email)
    await page.getByText('Rita Ramos').first().click()
    await Promise.all([page.waitForURL(/\/profile$/), page.getByRole('link', { name: 'Your profile' }).click()])

    // 1. The form, by keyboard: name, access, expiry, then Enter.
    const section = page.getByRole('region', { name: 'Personal API tokens' })
    expect(await section.getByRole('link', { name: 'Read the API reference' }).getAttribute('href')).toBe('/api/v1/reference')
    expect(await section.getByRole('radio', { name: /^Admin/ }).count()).toBe(0)
    await section.getByLabel('Name').fill('Shop sync')
    await section.getByRole('radio', { name: /^Read and write/ }).check()
    await section.getByLabel('Expiry').selectOption({ label: 'In 30 days' })
    await section.getByRole('button', { name: 'Create token' }).focus()
    await Promise.all([page.waitForLoadState('load'), page.keyboard.press('Enter')])

    // 2. Shown once, with its warning and a Copy button that works.
    const secretField = page.getByLabel('Your new token')
    const secret = await secretField.inputValue()
    expect(secret).toMatch(/^suivi_/)
    expect(flat(await page.locator('.api-token-created').textContent())).toContain('it will not be shown again')
    const copy = page.locator('#api-token-copy')
    expect(await copy.textContent()).toBe('Copy')
    await page.getByRole('button', { name: 'Copy' }).click()
    await expect.poll(() => copy.textContent()).toBe('Copied')
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret)
    await page.screenshot({ path: path.join(ARTIFACTS, 'api-tokens-created-1440.png'), fullPage: true })
    expect(await seriousViolations(page)).toEqual([])

    // 3. The token opens the API as Rita, from the browser's own fetch; no cookie is taken instead.
    const me = await page.evaluate(async (token) => {
      const res = await fetch('/api/v1/me', { headers: { Authorization: `Bearer ${token}` } })
      return { status: res.status, body: await res.json() }
    }, secret)
    expect(me).toMatchObject({ status: 200, body: { id: rita.id, name: 'Rita Ramos', scopes: ['read', 'write'] } })
    const cookieOnly = await page.evaluate(async () => (await fetch('/api/v1/me')).status)
    expect(cookieOnly).toBe(401)

    // 4. A reload does not show the secret again; the list shows the token.
    await page.goto(`${app.url}/profile`)
    expect(await page.getByLabel('Your new token').count()).toBe(0)
    expect(await page.content()).not.toContain(secret)
    const row = page.locator('.api-tokens-table tbody tr', { hasText: 'Shop sync' })
    expect(flat(await row.textContent())).toContain('Read and write')
    expect(flat(await row.textContent())).toContain(secret.slice(0, 12))

    // 5. Revoked after a confirmation; the API refuses the token from then on.
    await row.getByText('Revoke…').click()
    await page.locator('#api-tokens').screenshot({ path: path.join(ARTIFACTS, 'api-tokens-revoke-1440.png') })
    await Promise.all([page.waitForURL(/\/profile/), row.getByRole('button', { name: 'Revoke now' }).click()])
    expect(flat(await page.locator('.flash').textContent())).toBe('Token “Shop sync” revoked.')
    expect(await page.locator('.api-tokens-table tbody tr', { hasText: 'Shop sync' }).count()).toBe(0)
    const after = await page.evaluate(async (token) => (await fetch('/api/v1/me', { headers: { Authorization: `Bearer ${token}` } })).status, secret)
    expect(after).toBe(401)
    await page.screenshot({ path: path.join(ARTIFACTS, 'api-tokens-1440.png'), fullPage: true })

    // 6. On a phone, light and dark: no sideways scrolling, no serious accessibility problem.
    await page.getByLabel('Name').fill('Phone token')
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Create token' }).click()])
    await page.goto(`${app.url}/profile#api-tokens`)
    await page.setViewportSize({ width: 390, height: 844 })
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme })
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
      expect(await seriousViolations(page), scheme).toEqual([])
    }
    await page.locator('#api-tokens').screenshot({ path: path.join(ARTIFACTS, 'api-tokens-390-dark.png') })
    await page.emulateMedia({ colorScheme: 'light' })
    await page.screenshot({ path: path.join(ARTIFACTS, 'api-tokens-390.png'), fullPage: true })
    // The two refusals asked for above are logged by the browser as failed loads; nothing else may fail.
    expect(problems.filter((p) => !/401 \(Unauthorized\) \(http:\/\/[^)]+\/api\/v1\/me\)$/.test(p))).toEqual([])
    expect(problems).toHaveLength(2)
    await page.close()
  })

  it('the reference page reads well wide and narrow, light and dark, in English and French', async () => {
    const problems: string[] = []
    const page = await browser.context.newPage()
    watchProblems(page, problems)
    await page.setViewportSize({ width: 1440, height: 900 })
    await page.goto(`${app.url}/api/v1/reference`)
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('API reference')
    // A problem's type URI leads to its explanation.
    await page.goto(`${app.url}/api/v1/reference#problem-insufficient-scope`)
    expect(await page.locator('#problem-insufficient-scope').isVisible()).toBe(true)
    expect(await seriousViolations(page)).toEqual([])
    await page.screenshot({ path: path.join(ARTIFACTS, 'api-reference-1440.png') })
    await page.goto(`${app.url}/api/v1/reference#operations`)
    await page.screenshot({ path: path.join(ARTIFACTS, 'api-reference-operations-1440.png') })
    await page.setViewportSize({ width: 390, height: 844 })
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme })
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
      expect(await seriousViolations(page), scheme).toEqual([])
    }
    await page.goto(`${app.url}/api/v1/reference#operations`)
    await page.screenshot({ path: path.join(ARTIFACTS, 'api-reference-390-dark.png') })
    await page.emulateMedia({ colorScheme: 'light' })
    await page.screenshot({ path: path.join(ARTIFACTS, 'api-reference-390.png') })
    await page.close()

    const french = await browser.context.browser()?.newContext({ locale: 'fr-FR' })
    if (french) {
      const fr = await french.newPage()
      await fr.goto(`${app.url}/api/v1/reference`)
      expect(await fr.getByRole('heading', { level: 1 }).textContent()).toBe('Référence de l’API')
      await french.close()
    } else {
      const fr = await browser.context.newPage()
      await fr.setExtraHTTPHeaders({ 'Accept-Language': 'fr' })
      await fr.goto(`${app.url}/api/v1/reference`)
      expect(await fr.getByRole('heading', { level: 1 }).textContent()).toBe('Référence de l’API')
      await fr.close()
    }
    expect(problems).toEqual([])
  })
})
