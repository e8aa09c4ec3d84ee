import path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../src/domain/actor.ts'
import { ARTIFACTS, launchChromium } from '../helpers/browser.ts'
import { buildAgent, buildConversation, buildFolder, PASSWORD } from '../helpers/factories.ts'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'

type Browser = Awaited<ReturnType<typeof launchChromium>>

/** More than a page of conversations (50), so that the older page exists. */
const CONVERSATIONS = 53

/** Console errors, page errors and failed requests; leaving a page aborts its requests, which is normal. */
function watchProblems(page: Page, problems: string[]) {
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()} (${m.location().url})`)
  })
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`))
  page.on('requestfailed', (r) => {
    if (r.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ''}`)
  })
}

/** Signs in through the form, unless the browser's session already is. */
async function signIn(page: Page, app: TestApp, email: string) {
  await page.goto(`${app.url}/login`)
  if (!new URL(page.url()).pathname.startsWith('/login')) return
  await page.getByLabel('E-mail address').fill(email)
  await page.getByLabel('Password').fill(PASSWORD)
  await Promise.all([page.waitForURL(/\/conversations/), page.getByRole('button', { name: 'Sign in' }).click()])
}

/** Opens a page and waits for the shortcuts script (it shows the hint when it runs). */
async function gotoWithShortcuts(page: Page, url: string) {
  await page.goto(url)
  await page.waitForFunction(() => !document.querySelector('[data-shortcuts-hint]')?.hasAttribute('hidden'))
}

const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement
    return el
      ? `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ').join('.')}` : ''}`
      : ''
  })
const currentRowId = (page: Page) =>
  page.evaluate(() => document.querySelector('.conversation-row.keyboard-current')?.getAttribute('data-conversation-id') ?? null)
const announced = (page: Page) => page.locator('#shortcuts-announcer').textContent()
/** Leaves whatever field has the focus, as a click on the page would. */
const blur = (page: Page) => page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())

describe('keyboard shortcuts in the browser', () => {
  let app: TestApp
  let browser: Browser
  let kim: Actor
  let francoise: Actor
  const problems: string[] = []

  beforeAll(async () => {
    app = await startTestApp()
    const prisma = app.ctx.db.prisma
    const folder = await buildFolder(prisma, 'Keyboards')
    kim = await buildAgent(prisma, { role: 'admin', name: 'Kim Keys' })
    francoise = await buildAgent(prisma, { folderIds: [folder.id], name: 'Françoise Touches' })
    await prisma.agent.update({ where: { id: francoise.id }, data: { locale: 'fr' } })
    for (let i = 1; i <= CONVERSATIONS; i++) {
      await buildConversation(app.ctx.domain, kim, { folderId: folder.id, subject: `Keycap ${i} is loose`, customerName: `Customer ${i}` })
    }
    browser = await launchChromium()
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    await app?.close()
  })

  it('moves, selects, searches and opens on the list, and never while typing', async () => {
    const page = await browser.context.newPage()
    page.setDefaultTimeout(10_000)
    watchProblems(page, problems)
    await page.setViewportSize({ width: 1440, height: 900 })
    await signIn(page, app, kim.email)
    await gotoWithShortcuts(page, `${app.url}/conversations?tab=all`)
    const rows = page.locator('li.conversation-row[data-conversation-id]')
    const ids = await rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-conversation-id')))
    expect(ids.length).toBeGreaterThanOrEqual(3)
    expect(await currentRowId(page)).toBeNull()

    // j j o: the second conversation opens; j first lands on the first row, outlined and announced.
    await page.keyboard.press('j')
    expect(await currentRowId(page)).toBe(ids[0])
    await expect.poll(() => announced(page)).toMatch(new RegExp(`^Conversation 1 of ${ids.length}: Keycap \\d+ is loose`))
    await page.keyboard.press('j')
    expect(await currentRowId(page)).toBe(ids[1])
    const secondHref = (await rows.nth(1).locator('a.row-link').getAttribute('href'))!
    await Promise.all([page.waitForURL((url) => url.pathname === secondHref.split('?')[0]), page.keyboard.press('o')])

    // Back on the list, the cursor is where it was; j, k and the arrows move it.
    await gotoWithShortcuts(page, `${app.url}/conversations?tab=all`)
    expect(await currentRowId(page)).toBe(ids[1])
    await page.keyboard.press('j')
    await page.keyboard.press('j')
    await page.keyboard.press('k')
    expect(await currentRowId(page)).toBe(ids[2])
    await expect.poll(() => announced(page)).toMatch(new RegExp(`^Conversation 3 of ${ids.length}: `))
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('ArrowUp')
    expect(await currentRowId(page)).toBe(ids[2])

    // x selects the row, as a click on its checkbox would: the bulk bar counts it.
    const box = rows.nth(2).locator('input.row-select')
    await page.keyboard.press('x')
    expect(await box.isChecked()).toBe(true)
    await expect.poll(() => page.locator('.bulk-count').textContent()).toBe('1 selected')
    await expect.poll(() => announced(page)).toMatch(/^Selected: Keycap \d+ is loose/)
    await page.keyboard.press('x')
    expect(await box.isChecked()).toBe(false)

    // / puts the focus in the search box; a j typed there is a letter, not a move.
    await page.keyboard.press('/')
    expect(await focused(page)).toBe('input#q')
    expect(await page.locator('#q').inputValue()).toBe('')
    await page.keyboard.type('jkx?')
    expect(await page.locator('#q').inputValue()).toBe('jkx?')
    expect(await currentRowId(page)).toBe(ids[2])
    expect(await page.locator('#shortcuts-dialog').evaluate((d: HTMLDialogElement) => d.open)).toBe(false)
    expect(await box.isChecked()).toBe(false)
    await page.locator('#q').fill('')
    await blur(page)

    // ? opens the list of shortcuts; Escape closes it.
    await page.keyboard.press('?')
    const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' })
    await dialog.waitFor({ state: 'visible' })
    expect(await dialog.getByRole('heading', { name: 'Conversation list' }).count()).toBe(1)
    expect(await dialog.getByRole('heading', { name: 'Everywhere' }).count()).toBe(1)
    expect(await dialog.locator('kbd').count()).toBeGreaterThan(20)
    // While it is open, the other shortcuts rest.
    await page.keyboard.press('j')
    expect(await currentRowId(page)).toBe(ids[2])
    await page.screenshot({ path: path.join(ARTIFACTS, 'shortcuts-1440.png') })
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'hidden' })

    // The hint opens it too, and the focus comes back to the hint when it closes.
    const hint = page.locator('[data-shortcuts-open]')
    expect(await hint.textContent()).toBe('Press ? for keyboard shortcuts')
    await hint.click()
    await dialog.waitFor({ state: 'visible' })
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'hidden' })
    expect(await focused(page)).toBe('button.shortcuts-open')
    await blur(page)

    // ] and [ : the older page and back.
    if (await page.locator('a[rel="next"]').count()) {
      await Promise.all([page.waitForURL(/[?&]after=/), page.keyboard.press(']')])
      await page.waitForFunction(() => !document.querySelector('[data-shortcuts-hint]')?.hasAttribute('hidden'))
      if (await page.locator('a[rel="prev"]').count()) {
        await Promise.all([page.waitForURL((url) => !url.search.includes('after=')), page.keyboard.press('[')])
      } else console.warn('no a[rel="prev"] on the older page: [ not exercised')
      await page.waitForFunction(() => !document.querySelector('[data-shortcuts-hint]')?.hasAttribute('hidden'))
    } else console.warn('no a[rel="next"] on the list: ] and [ not exercised')

    // g then p: the Pending tab.
    await page.keyboard.press('g')
    await Promise.all([page.waitForURL(/[?&]tab=pending/), page.keyboard.press('p')])
    await page.close()
  }, 120_000)

  it('replies, writes a note, assigns, sends with Ctrl + Enter and goes back on the conversation', async () => {
    const page = await browser.context.newPage()
    page.setDefaultTimeout(10_000)
    watchProblems(page, problems)
    await page.setViewportSize({ width: 1440, height: 900 })
    await signIn(page, app, kim.email)
    const prisma = app.ctx.db.prisma
    const conversation = await prisma.conversation.findFirstOrThrow({ where: { subject: 'Keycap 2 is loose' } })
    await gotoWithShortcuts(page, `${app.url}/conversations/${conversation.number}`)
    const editor = page.locator('.reply-form [data-editor] .ql-editor')
    await editor.waitFor()

    // r: the reply radio, the focus in the editor; an "a" typed there is text, not "assign to me".
    await page.keyboard.press('r')
    expect(await page.locator('input[name="type"][value="reply"]').isChecked()).toBe(true)
    expect(await editor.evaluate((el) => el === document.activeElement)).toBe(true)
    await page.keyboard.type('a s u j')
    expect(await editor.textContent()).toBe('a s u j')
    expect(new URL(page.url()).pathname).toBe(`/conversations/${conversation.number}`)
    expect((await prisma.conversation.findUniqueOrThrow({ where: { id: conversation.id } })).assigneeId).toBeNull()
    await page.keyboard.press('Control+a')
    await page.keyboard.press('Backspace')
    await blur(page)

    // n: an internal note.
    await page.keyboard.press('n')
    expect(await page.locator('input[name="type"][value="comment"]').isChecked()).toBe(true)
    expect(await editor.evaluate((el) => el === document.activeElement)).toBe(true)
    await blur(page)

    // s: the status select.
    if (await page.locator('#set-status').count()) {
      await page.keyboard.press('s')
      expect(await focused(page)).toContain('select#set-status')
      await blur(page)
    } else console.warn('no #set-status on the conversation: s not exercised')

    // a: assigned to the agent, once.
    if (await page.locator('button[data-action="assign-me"]').count()) {
      await page.keyboard.press('a')
      await expect
        .poll(async () => (await prisma.conversation.findUniqueOrThrow({ where: { id: conversation.id } })).assigneeId, { timeout: 10_000 })
        .toBe(kim.id)
    } else console.warn('no button[data-action="assign-me"] on the conversation: a not exercised')
    await gotoWithShortcuts(page, `${app.url}/conversations/${conversation.number}`)
    await editor.waitFor()

    // Ctrl + Enter sends the note from the editor, and only once.
    const before = await prisma.message.count({ where: { conversationId: conversation.id } })
    await page.keyboard.press('n')
    await page.keyboard.type('Checked the keycap clip, replacing it.')
    await page.keyboard.press('Control+Enter')
    await expect.poll(() => prisma.message.count({ where: { conversationId: conversation.id } }), { timeout: 10_000 }).toBe(before + 1)
    const note = await prisma.message.findFirstOrThrow({ where: { conversationId: conversation.id }, orderBy: { id: 'desc' } })
    expect(note.kind).toBe('internal')
    expect(note.bodyText).toContain('Checked the keycap clip')
    await page.waitForLoadState('load')
    await page.waitForTimeout(500)
    expect(await prisma.message.count({ where: { conversationId: conversation.id } })).toBe(before + 1)

    // j and k: the next and previous conversations of the list.
    await gotoWithShortcuts(page, `${app.url}/conversations/${conversation.number}`)
    await Promise.all([page.waitForURL((url) => url.pathname !== `/conversations/${conversation.number}`), page.keyboard.press('j')])
    await page.waitForFunction(() => !document.querySelector('[data-shortcuts-hint]')?.hasAttribute('hidden'))
    expect(new URL(page.url()).pathname).toMatch(/^\/conversations(\/\d+)?$/)

    // u: back to the list, the cursor on the conversation last seen.
    await gotoWithShortcuts(page, `${app.url}/conversations/${conversation.number}`)
    await Promise.all([page.waitForURL((url) => url.pathname === '/conversations'), page.keyboard.press('u')])
    await page.waitForFunction(() => !document.querySelector('[data-shortcuts-hint]')?.hasAttribute('hidden'))
    if (await page.locator(`li.conversation-row[data-conversation-id="${conversation.id}"]`).count()) {
      expect(await currentRowId(page)).toBe(String(conversation.id))
    }
    await page.close()
  }, 120_000)

  it('on a phone, hides the hint but keeps the shortcuts; speaks French to a French agent', async () => {
    const context = await launchChromium()
    try {
      const page = await context.context.newPage()
      page.setDefaultTimeout(10_000)
      watchProblems(page, problems)
      await page.setViewportSize({ width: 390, height: 844 })
      await signIn(page, app, francoise.email)
      await gotoWithShortcuts(page, `${app.url}/conversations?tab=all`)
      expect(await page.locator('[data-shortcuts-open]').isVisible()).toBe(false)
      await page.keyboard.press('j')
      expect(await currentRowId(page)).not.toBeNull()
      await expect.poll(() => announced(page)).toMatch(/^Conversation 1 sur \d+\u00a0: Keycap/)
      await page.keyboard.press('?')
      const dialog = page.getByRole('dialog', { name: 'Raccourcis clavier' })
      await dialog.waitFor({ state: 'visible' })
      expect(await dialog.getByRole('heading', { name: 'Liste des conversations' }).count()).toBe(1)
      await page.screenshot({ path: path.join(ARTIFACTS, 'shortcuts-390.png') })
      await page.keyboard.press('Escape')
      await dialog.waitFor({ state: 'hidden' })
    } finally {
      await context.close()
    }
    expect(problems).toEqual([])
  }, 120_000)
})
