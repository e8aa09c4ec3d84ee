import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../src/domain/actor.ts'
import { seriousViolations } from '../helpers/accessibility.ts'
import { ARTIFACTS, flat, launchChromium, signInPage, watchProblems } from '../helpers/browser.ts'
import { buildAgent } from '../helpers/factories.ts'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'
import { startReceiver, type Receiver } from '../domain/webhooks/receiver.ts'

type Browser = Awaited<ReturnType<typeof launchChromium>>

describe('webhooks in the browser', () => {
  let app: TestApp
  let browser: Browser
  let admin: Actor
  let receiver: Receiver

  beforeAll(async () => {
    app = await startTestApp()
    admin = await buildAgent(app.ctx.db.prisma, { role: 'admin', name: 'Hana Hook' })
    receiver = await startReceiver()
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await receiver?.close()
    await app?.close()
  })

  it('an admin allows internal addresses, adds an endpoint, sends a test event, reads the log and sends it again', async () => {
    const problems: string[] = []
    const page = await browser.context.newPage()
    page.setDefaultTimeout(10_000)
    watchProblems(page, problems)
    await page.setViewportSize({ width: 1440, height: 900 })
    await signInPage(page, app.url, admin.email)

    // From Settings to the webhooks page.
    await page.goto(`${app.url}/settings`)
    await Promise.all([page.waitForURL(/\/settings\/webhooks$/), page.getByRole('link', { name: 'Webhooks' }).click()])
    await page.getByLabel('Allow endpoints on private or loopback addresses').check()
    await Promise.all([page.waitForURL(/\/settings\/webhooks$/), page.getByRole('button', { name: 'Save' }).click()])
    expect(flat(await page.locator('.flash').textContent())).toBe('Endpoints on private and loopback addresses are now allowed.')

    // A new endpoint for two events.
    await Promise.all([page.waitForURL(/\/new$/), page.getByRole('link', { name: 'Add an endpoint' }).click()])
    await page.getByLabel('URL').fill(`${receiver.url}/suivi`)
    await page.getByLabel('Description').fill('Shop back office')
    await page.getByLabel('conversation.created').check()
    await page.getByLabel('status.changed').check()
    await page.screenshot({ path: path.join(ARTIFACTS, 'webhooks-form-1440.png'), fullPage: true })
    await Promise.all([page.waitForURL(/\/settings\/webhooks\/\d+$/), page.getByRole('button', { name: 'Add endpoint' }).click()])
    expect(flat(await page.locator('.flash').textContent())).toContain('Give its secret to the receiving tool')
    await page.getByText('Show the secret').click()
    const secret = flat(await page.locator('#webhook-secret').textContent())
    expect(secret).toMatch(/^whsec_/)
    receiver.secret = secret

    // The test button: the receiver gets a signed event, the log shows it.
    await Promise.all([page.waitForURL(/\/settings\/webhooks\/\d+$/), page.getByRole('button', { name: 'Send a test event' }).click()])
    await expect.poll(() => receiver.received.length, { timeout: 10_000 }).toBe(1)
    expect(receiver.received[0]!.verified).toBe(true)
    await expect
      .poll(
        async () => {
          await page.reload()
          return flat(await page.locator('.webhook-log tbody').textContent())
        },
        { timeout: 10_000 },
      )
      .toContain('Delivered (204)')
    const row = page.locator('.webhook-log tbody tr').first()
    expect(flat(await row.textContent())).toContain('webhook.test')
    expect(await seriousViolations(page)).toEqual([])
    await page.screenshot({ path: path.join(ARTIFACTS, 'webhooks-endpoint-1440.png'), fullPage: true })

    // The delivery's detail, then "Send again".
    const webhookId = (await row.getAttribute('data-webhook-id'))!
    await Promise.all([page.waitForURL(/\/deliveries\/\d+$/), row.getByRole('link', { name: webhookId }).click()])
    expect(flat(await page.locator('main').textContent())).toContain('webhook-signature: v1,')
    await Promise.all([page.waitForURL(/\/settings\/webhooks\/\d+$/), page.getByRole('button', { name: 'Send again' }).click()])
    expect(flat(await page.locator('.flash').textContent())).toBe(`Delivery ${webhookId} is being sent again.`)
    await expect.poll(() => receiver.received.length, { timeout: 10_000 }).toBe(2)
    expect(receiver.received[1]!.headers['webhook-id']).toBe(webhookId)

    // The list, and the phone-sized pages.
    await page.goto(`${app.url}/settings/webhooks`)
    expect(flat(await page.locator('tbody tr').first().textContent())).toContain('Shop back office')
    await page.screenshot({ path: path.join(ARTIFACTS, 'webhooks-list-1440.png'), fullPage: true })
    await page.setViewportSize({ width: 390, height: 844 })
    await page.screenshot({ path: path.join(ARTIFACTS, 'webhooks-list-390.png'), fullPage: true })
    await page.goto(`${app.url}${new URL(page.url()).pathname}`)
    await page.getByRole('link', { name: /^http:\/\/127\.0\.0\.1/ }).click()
    await page.waitForURL(/\/settings\/webhooks\/\d+$/)
    // Nothing sticks out sideways on a phone (wide tables scroll inside their box).
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await page.screenshot({ path: path.join(ARTIFACTS, 'webhooks-endpoint-390.png'), fullPage: true })
    expect(problems).toEqual([])
  }, 90_000)
})
