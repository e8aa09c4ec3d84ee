import { asCustomer } from '../../src/domain/actor.ts'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../src/domain/actor.ts'
import { addCustomerMessage } from '../../src/domain/conversations/commands/addCustomerMessage.ts'
import { ARTIFACTS, launchChromium, signInPage } from '../helpers/browser.ts'
import { buildAgent, buildConversation, buildFolder } from '../helpers/factories.ts'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'

const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n', 'latin1')

describe('a refused form in the browser', () => {
  let app: TestApp
  let browser: Awaited<ReturnType<typeof launchChromium>>
  let agent: Actor
  let folder: { id: number; name: string }

  beforeAll(async () => {
    app = await startTestApp()
    folder = await buildFolder(app.ctx.db.prisma, 'Returns')
    agent = await buildAgent(app.ctx.db.prisma, { role: 'admin', name: 'Rita Refused' })
    browser = await launchChromium()
    // One session for the whole file: the pages below share the browser context's cookies.
    const page = await browser.context.newPage()
    await signInPage(page, app.url, agent.email)
    await page.close()
  })
  afterAll(async () => {
    await browser?.close()
    await app?.close()
  })

  it('a reply refused because the customer wrote meanwhile keeps the text, names the file to choose again, and leaves an address that opens the conversation', async () => {
    const page = await browser.context.newPage()
    page.setDefaultTimeout(10_000)
    const problems: string[] = []
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`))
    const conversation = await buildConversation(app.ctx.domain, agent, {
      folderId: folder.id,
      subject: 'Parcel came back to sender',
      customerEmail: 'casey.refused@example.com',
    })
    const conversationUrl = `${app.url}/conversations/${conversation.number}`

    await page.goto(conversationUrl)
    const editor = page.getByLabel('Message', { exact: true })
    await editor.click()
    await page.keyboard.type('We will send it again today, with tracking.')
    await page.getByLabel('Attach files').setInputFiles({ name: 'label.pdf', mimeType: 'application/pdf', buffer: PDF })
    // The customer writes while the agent is typing: sending asks for confirmation first.
    await addCustomerMessage(app.ctx.domain, asCustomer(conversation.customerId), {
      conversationId: conversation.id,
      text: 'Please use my new address: 4 Elm Street.',
    })
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Send', exact: true }).click()])

    expect(await page.locator('#reply-error').textContent()).toContain('New messages arrived')
    expect(await page.locator('.thread').textContent()).toContain('4 Elm Street')
    expect(await page.getByLabel('Message', { exact: true }).textContent()).toContain('We will send it again today, with tracking.')
    expect(await page.locator('#reply-files-error').textContent()).toBe('Choose “label.pdf” again: a form that is refused cannot keep its files.')
    expect(await page.getByLabel('Attach files').evaluate((input: HTMLInputElement) => input.files?.length)).toBe(0)
    await page.screenshot({ path: path.join(ARTIFACTS, 'refused-reply.png'), fullPage: true })

    // The address bar shows where the form was sent; opened again (reloaded, shared), it is the conversation.
    const shown = page.url()
    expect(new URL(shown).pathname).toBe(`/conversations/${conversation.number}/messages`)
    const answer = await page.goto(shown)
    expect(answer?.status()).toBe(200)
    expect(page.url()).toBe(conversationUrl)
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('Parcel came back to sender')
    expect(problems).toEqual([])
  }, 60_000)

  it('a new conversation refused for its address says what is wrong with it and which files to choose again', async () => {
    const page = await browser.context.newPage()
    page.setDefaultTimeout(10_000)
    await page.goto(`${app.url}/conversations/new`)
    await page.getByLabel(/e-mail address/).fill('bob@')
    await page.getByLabel('Subject', { exact: true }).fill('Replacement lid')
    await page.getByLabel('Message', { exact: true }).click()
    await page.keyboard.type('Your replacement lid is on its way.')
    await page.getByLabel('Attach files').setInputFiles([
      { name: 'invoice.pdf', mimeType: 'application/pdf', buffer: PDF },
      { name: 'lid-photo.pdf', mimeType: 'application/pdf', buffer: PDF },
    ])
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Create conversation' }).click()])

    expect(await page.locator('#customerEmail-error').textContent()).toBe('“bob@” is not a complete e-mail address.')
    expect(await page.getByLabel(/e-mail address/).inputValue()).toBe('bob@')
    expect(await page.getByLabel('Subject', { exact: true }).inputValue()).toBe('Replacement lid')
    expect(await page.getByLabel('Message', { exact: true }).textContent()).toContain('Your replacement lid is on its way.')
    expect(await page.locator('#files-error').textContent()).toBe(
      'Choose “invoice.pdf” and “lid-photo.pdf” again: a form that is refused cannot keep its files.',
    )
    expect(await page.getByLabel('Attach files').getAttribute('aria-describedby')).toBe('files-error')
    await page.screenshot({ path: path.join(ARTIFACTS, 'refused-new-conversation.png'), fullPage: true })
  }, 60_000)
})
