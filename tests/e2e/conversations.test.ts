import path from 'node:path'
import { crc32, deflateSync } from 'node:zlib'
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureDefaultFolder } from '../../src/domain/folders/defaultFolder.ts'
import { ARTIFACTS, launchChromium } from '../helpers/browser.ts'
import { buildAgent } from '../helpers/factories.ts'
import { ADMIN, startTestApp, type TestApp } from '../helpers/testApp.ts'

/** A real PNG (8-bit RGB), drawn pixel by pixel: a brown cup on cream stripes. */
function png(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4)
    length.writeUInt32BE(data.length)
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(body))
    return Buffer.concat([length, body, crc])
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header[8] = 8 // bit depth
  header[9] = 2 // RGB
  const raw = Buffer.alloc((width * 3 + 1) * height)
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1)
    raw[row] = 0 // no filter
    for (let x = 0; x < width; x++) raw.set(pixel(x, y), row + 1 + x * 3)
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))])
}

const DOT_PNG = png(48, 32, (x, y) => {
  const dx = x - 24
  const dy = y - 16
  return dx * dx + dy * dy < 120 ? [110, 60, 30] : y % 8 < 4 ? [245, 235, 215] : [230, 215, 190]
})

const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n', 'latin1')

/** Text content with runs of white space (non-breaking spaces included) as one space. */
async function textOf(locator: Locator): Promise<string> {
  return ((await locator.textContent()) ?? '').replace(/[\s\u00a0]+/g, ' ').trim()
}

/** Clicks a submit button and waits for the page the server answers with. */
async function submit(page: Page, button: Locator) {
  await Promise.all([page.waitForEvent('load'), button.click()])
}

describe('an administrator working a conversation in the browser', () => {
  let app: TestApp
  let browser: Awaited<ReturnType<typeof launchChromium>>
  beforeAll(async () => {
    app = await startTestApp()
    browser = await launchChromium()
    await app.ctx.db.prisma.tag.create({ data: { name: 'refund', colour: 'red' } })
  })
  afterAll(async () => {
    await browser?.close()
    await app?.close()
  })

  it('creates a conversation, replies with an image and a file, comments, tags, assigns, reopens and finds it', async () => {
    const page = await browser.context.newPage()
    page.setDefaultTimeout(10_000)
    const problems: string[] = []
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()} (${m.location().url})`)
    })
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`))
    // Leaving a page aborts its live stream and fetches in flight; anything else is a problem.
    page.on('requestfailed', (r) => {
      if (r.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ''}`)
    })

    // First run in the browser, so the browser holds the admin's session. The second agent can
    // only be added afterwards: /setup refuses once any agent exists.
    await page.goto(`${app.url}/setup`)
    await page.getByLabel('Your name').fill(ADMIN.name)
    await page.getByLabel('E-mail address').fill(ADMIN.email)
    await page.getByLabel('Password').fill(ADMIN.password)
    await page.getByRole('button', { name: 'Create administrator' }).click()
    await page.waitForURL(/\/conversations/)
    const prisma = app.ctx.db.prisma
    const defaultFolder = await ensureDefaultFolder(prisma)
    await buildAgent(prisma, { folderIds: [defaultFolder.id], name: 'Bruno Agent' })

    // 1. A new conversation, written to the customer.
    await page.goto(`${app.url}/conversations/new`)
    await page.getByLabel(/e-mail address/).fill('casey@example.com')
    await page.getByLabel(/name \(optional\)/).fill('Casey Customer')
    await page.getByLabel('Subject', { exact: true }).fill('Broken espresso machine')
    const newBody = page.getByLabel('Message', { exact: true })
    expect(await newBody.getAttribute('class')).toContain('ql-editor')
    await newBody.click()
    await page.keyboard.type('Hello Casey, sorry to hear the espresso machine stopped working. Could you send us a photo of the serial plate?')
    await page.getByLabel('Writing to the customer').check()
    await page.getByRole('button', { name: 'Create conversation' }).click()
    await page.waitForURL(/\/conversations\/\d+$/)
    const conversationUrl = page.url()
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('Broken espresso machine')
    const badge = page.locator('.conversation-header .status')
    expect(await badge.textContent()).toBe('Pending')
    expect(await textOf(page.locator('.thread'))).toContain('sorry to hear the espresso machine stopped working')

    // 2. A reply with an inline image (through Quill's own image button) and an attached PDF.
    const editor = page.getByLabel('Message', { exact: true })
    await editor.click()
    await page.keyboard.type('Here is the return label, and a picture of where the serial plate is: ')
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('button', { name: 'Insert image' }).click()])
    await chooser.setFiles({ name: 'dot.png', mimeType: 'image/png', buffer: DOT_PNG })
    await expect.poll(() => editor.locator('img').getAttribute('src')).toMatch(/^data:image\/png;base64,/)
    await page.getByLabel('Attach files').setInputFiles({ name: 'return-label.pdf', mimeType: 'application/pdf', buffer: PDF })
    await page.getByLabel('Status after sending a reply').selectOption({ label: 'Pending (waiting on the customer)' })
    await submit(page, page.getByRole('button', { name: 'Send', exact: true }))
    expect(page.url()).toBe(conversationUrl)
    expect(await page.locator('.flash').textContent()).toContain('Reply sent.')
    const reply = page.locator('.thread .message-agent').last()
    expect(await textOf(reply)).toContain('Here is the return label')
    const inlineImage = reply.locator('.message-body img')
    expect(await inlineImage.getAttribute('src')).toMatch(/^\/attachments\//)
    await expect.poll(() => inlineImage.evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0))).toBeGreaterThan(0)
    expect(await reply.getByRole('link', { name: 'return-label.pdf' }).count()).toBe(1)
    expect(await badge.textContent()).toBe('Pending')

    // 3. An internal comment: shown as such, the status does not move.
    await page.getByRole('radio', { name: 'Internal comment' }).check()
    await editor.click()
    await page.keyboard.type('Customer bought it 14 months ago: still under the 2-year warranty.')
    await submit(page, page.getByRole('button', { name: 'Add comment', exact: true }))
    expect(await page.locator('.flash').textContent()).toContain('Internal comment added.')
    const comment = page.locator('.thread .message', { hasText: 'still under the 2-year warranty' })
    expect(await comment.count()).toBe(1)
    expect(await comment.getAttribute('class')).toContain('message-internal')
    expect(await badge.textContent()).toBe('Pending')

    // 4. Tag, assign, reopen from the sidebar: each choice is sent as it is made, in place, and a toast confirms it.
    const tagsCard = page.locator('section[aria-labelledby="tags-title"]')
    const historyCard = page.locator('section[aria-labelledby="history-title"]')
    const toast = page.locator('#toast [role="status"]')
    await page.getByLabel('Tag to add').selectOption({ label: 'refund' })
    await expect.poll(() => toast.textContent()).toBe('Tag “refund” added.')
    expect(await tagsCard.locator('.tag').textContent()).toBe('refund')
    expect(await textOf(historyCard)).toContain('added the tag “refund”')

    await page.getByRole('combobox', { name: 'Assignee', exact: true }).selectOption({ label: 'Bruno Agent' })
    await expect.poll(() => toast.textContent()).toBe('Assigned to Bruno Agent.')
    expect(await page.locator('#assignee option:checked').textContent()).toBe('Bruno Agent')
    expect(await textOf(historyCard)).toContain('assigned it to Bruno Agent')

    await page.getByRole('combobox', { name: 'Status', exact: true }).selectOption('open')
    await expect.poll(() => toast.textContent()).toBe('Status set to Open.')
    expect(await badge.textContent()).toBe('Open')
    expect(await textOf(historyCard)).toContain('changed the status from Pending to Open')
    // Reloaded pages keep what was done before.
    await page.reload()
    expect(await tagsCard.locator('.tag').textContent()).toBe('refund')
    expect(await page.locator('.thread .message-internal').count()).toBe(1)

    await page.screenshot({ path: path.join(ARTIFACTS, 'conversation-page.png'), fullPage: true })
    await page.setViewportSize({ width: 390, height: 844 })
    await page.screenshot({ path: path.join(ARTIFACTS, 'conversation-page-mobile.png'), fullPage: true })
    await page.setViewportSize({ width: 1280, height: 720 })

    // 5. Search from the "All" list.
    await page.goto(`${app.url}/conversations?tab=all`)
    await page.getByLabel('Search subjects, messages and customers').fill('espresso')
    await page.getByLabel('Search subjects, messages and customers').press('Enter')
    await page.waitForURL(/[?&]q=espresso/)
    const rows = page.locator('.conversation-row')
    expect(await rows.count()).toBe(1)
    expect(await rows.first().locator('.row-subject').textContent()).toContain('Broken espresso machine')
    await page.screenshot({ path: path.join(ARTIFACTS, 'conversation-search.png'), fullPage: true })
    await page.setViewportSize({ width: 390, height: 844 })
    await page.screenshot({ path: path.join(ARTIFACTS, 'conversation-search-mobile.png'), fullPage: true })

    expect(problems).toEqual([])
  }, 90_000)
})
