import { mkdtemp, mkdir, rm } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { PASSWORD } from './factories.ts'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const ARTIFACTS = path.resolve('tests/artifacts')

/**
 * Debian's Chromium, headless, with its own empty profile; never a downloaded browser.
 * `javaScriptEnabled: false` gives a browser that runs no script (progressive enhancement tests).
 */
export async function launchChromium(options: { javaScriptEnabled?: boolean } = {}): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium package (apt-get install -y chromium)`)
  const profile = await mkdtemp(path.join(os.tmpdir(), 'suivi-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    javaScriptEnabled: options.javaScriptEnabled ?? true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  await mkdir(ARTIFACTS, { recursive: true })
  return {
    context,
    async close() {
      await context.close()
      await rm(profile, { recursive: true, force: true })
    },
  }
}

/** Whitespace (including the no-break spaces of French typography) folded to single spaces. */
export const flat = (s: string | null | undefined) => (s ?? '').replace(/[\s\u00a0\u202f]+/g, ' ').trim()

/** Page errors and failed requests; leaving a page aborts its live stream (net::ERR_ABORTED), which is normal. */
export function watchProblems(page: Page, problems: string[], who = '') {
  const prefix = who ? `${who} ` : ''
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`${prefix}console: ${m.text()} (${m.location().url})`)
  })
  page.on('pageerror', (e) => problems.push(`${prefix}pageerror: ${e.message}`))
  page.on('requestfailed', (r) => {
    if (r.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`${prefix}request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ''}`)
  })
}

/** Signs in through the login page, as a person would, and waits for the list. */
export async function signInPage(page: Page, baseUrl: string, email: string, password = PASSWORD) {
  await page.goto(`${baseUrl}/login`)
  await page.getByLabel('E-mail address').fill(email)
  await page.getByLabel('Password').fill(password)
  await Promise.all([page.waitForURL(/\/conversations/), page.getByRole('button', { name: 'Sign in' }).click()])
}

/** Opens a page and waits until its live stream (GET /events) has answered, so that no event is missed. */
export async function gotoLive(page: Page, url: string) {
  const stream = page.waitForResponse((r) => new URL(r.url()).pathname === '/events' && r.status() === 200, { timeout: 10_000 })
  await page.goto(url)
  await stream
}
