import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ARTIFACTS, launchChromium } from '../helpers/browser.ts'
import { buildAgent, buildConversation, buildFolder } from '../helpers/factories.ts'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'

describe('an administrator brings in an agent for one folder', () => {
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

  it('invites, restricts to one folder; the agent sets a password from the e-mail and sees only that folder', async () => {
    const prisma = app.ctx.db.prisma
    const admin = browser.context
    const page = await admin.newPage()
    page.setDefaultTimeout(10_000)
    const problems: string[] = []
    page.on('pageerror', (e) => problems.push(e.message))
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()))

    await page.goto(`${app.url}/setup`)
    await page.getByLabel('Your name').fill('Ada Admin')
    await page.getByLabel('E-mail address').fill('ada@example.test')
    await page.getByLabel('Password').fill('correct horse battery')
    await page.getByRole('button', { name: 'Create administrator' }).click()
    await page.waitForURL(/\/conversations/)

    const [billing, legal] = [await buildFolder(prisma, 'Billing'), await buildFolder(prisma, 'Legal')]
    const someone = await buildAgent(prisma, { role: 'admin' })
    await buildConversation(app.ctx.domain, someone, { folderId: billing.id, subject: 'Invoice twice charged' })
    await buildConversation(app.ctx.domain, someone, { folderId: legal.id, subject: 'Subpoena for records' })

    await page.goto(`${app.url}/settings/agents`)
    await page.getByLabel('Name', { exact: true }).fill('Iris Agent')
    await page.getByLabel('E-mail address').fill('iris@example.test')
    await page.getByLabel('Billing').check()
    await page.screenshot({ path: path.join(ARTIFACTS, 'invite-form.png'), fullPage: true })
    await page.getByRole('button', { name: 'Send the invitation' }).click()
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Iris Agent is invited')

    // No SMTP here: the e-mail waits in the outbox; take the link from it as the agent would.
    const mail = await prisma.outboxEmail.findFirstOrThrow({ where: { kind: 'invitation', toAddress: 'iris@example.test' } })
    const link = new URL(/https?:\/\/\S+\/invite\/[\w-]+/.exec(mail.text)![0])

    const agentContext = await browser.context.browser()?.newContext()
    const agentPage = agentContext ? await agentContext.newPage() : await browser.context.newPage()
    agentPage.setDefaultTimeout(10_000)
    await agentPage.context().clearCookies()
    await agentPage.goto(`${app.url}${link.pathname}`)
    await agentPage.getByLabel('Password').fill('iris password 1')
    await agentPage.getByRole('button', { name: 'Set my password and sign in' }).click()
    await agentPage.waitForURL(/\/conversations/)
    await agentPage.goto(`${app.url}/conversations?tab=all`)
    const list = await agentPage.locator('.conversation-list').textContent()
    expect(list).toContain('Invoice twice charged')
    expect(list).not.toContain('Subpoena for records')
    expect(await agentPage.getByRole('link', { name: 'Settings' }).count()).toBe(0)
    await agentPage.screenshot({ path: path.join(ARTIFACTS, 'invited-agent-list.png'), fullPage: true })
    expect(problems).toEqual([])
  })
})
