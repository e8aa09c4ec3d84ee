import path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../src/domain/actor.ts'
import { addTag } from '../../src/domain/conversations/commands/tagConversation.ts'
import { ARTIFACTS, launchChromium, signInPage, watchProblems } from '../helpers/browser.ts'
import { buildAgent, buildConversation, buildFolder, buildTag } from '../helpers/factories.ts'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'

type Browser = Awaited<ReturnType<typeof launchChromium>>

/** The subjects of the rows the list shows, in order. */
const subjects = (page: Page) =>
  page.locator('.conversation-row .row-subject').evaluateAll((els) => els.map((e) => (e.firstChild ? e.textContent!.replace(/\s*#\d+$/, '') : '')))

describe('search as people type it, in the browser', () => {
  let app: TestApp
  let browser: Browser
  let adminEmail: string
  let frenchEmail: string

  beforeAll(async () => {
    app = await startTestApp()
    const prisma = app.ctx.db.prisma
    const folder = await buildFolder(prisma, 'Support')
    const admin: Actor = await buildAgent(prisma, { role: 'admin', name: 'Ada Admin' })
    adminEmail = admin.email
    const french = await buildAgent(prisma, { folderIds: [folder.id], name: 'Françoise Agent' })
    frenchEmail = (await prisma.agent.update({ where: { id: french.id }, data: { locale: 'fr', timeZone: 'Europe/Paris' } })).email
    const vip = await buildTag(prisma, 'vip')
    const money = await buildConversation(app.ctx.domain, admin, {
      folderId: folder.id,
      subject: 'Where is my money?',
      text: 'I asked for a refund last week and nothing came.',
      customerName: 'Alice Martin',
      customerEmail: 'alice@example.com',
      status: 'pending',
    })
    await addTag(app.ctx.domain, admin, { conversationId: money.id, tagId: vip.id })
    await buildConversation(app.ctx.domain, admin, {
      folderId: folder.id,
      subject: 'Reference photo for the lamp',
      text: 'Here is the photo you asked for.',
      customerName: 'Alice Other',
      customerEmail: 'alice.other@example.org',
      status: 'open',
    })
    await buildConversation(app.ctx.domain, admin, {
      folderId: folder.id,
      subject: 'Broken chair',
      text: 'The leg snapped.',
      customerName: 'Bob Buyer',
      status: 'open',
    })
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await app?.close()
  })

  it('suggests as the agent types, finds by prefix and by typed filters, marks matches, and saves the search', async () => {
    const page = await browser.context.newPage()
    const problems: string[] = []
    watchProblems(page, problems)
    await signInPage(page, app.url, adminEmail)
    await page.goto(`${app.url}/conversations?tab=all`)
    const box = page.locator('#q')
    const listbox = page.getByRole('listbox', { name: 'Suggestions' })

    // Typing "ref": suggestions appear, a combobox with a listbox, usable with the keyboard.
    await box.click()
    await box.pressSequentially('ref', { delay: 40 })
    await expect.poll(() => listbox.isVisible()).toBe(true)
    expect(await box.getAttribute('role')).toBe('combobox')
    expect(await box.getAttribute('aria-expanded')).toBe('true')
    const options = listbox.getByRole('option')
    await expect
      .poll(() => options.allTextContents())
      .toEqual(expect.arrayContaining([expect.stringContaining('ref*'), expect.stringContaining('Reference photo for the lamp')]))
    await page.setViewportSize({ width: 1440, height: 900 })
    await page.screenshot({ path: path.join(ARTIFACTS, 'search-suggestions-1440.png') })
    await box.press('ArrowDown')
    const active = await box.getAttribute('aria-activedescendant')
    expect(active).toBeTruthy()
    expect(await page.locator(`#${active}`).getAttribute('aria-selected')).toBe('true')
    expect(await page.locator(`#${active}`).textContent()).toContain('ref*')
    await box.press('Enter')
    expect(await box.inputValue()).toBe('ref* ')
    await expect.poll(() => box.getAttribute('aria-expanded')).toBe('false')
    // Escape closes the list and keeps the text; with the list closed, Enter searches.
    await box.pressSequentially('ta', { delay: 40 })
    await expect.poll(() => options.allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('tag:')]))
    await box.press('Escape')
    expect(await box.getAttribute('aria-expanded')).toBe('false')
    expect(await listbox.isVisible()).toBe(false)
    expect(await box.inputValue()).toBe('ref* ta')
    await box.fill('ref*')
    await Promise.all([page.waitForURL(/q=ref/), box.press('Enter')])

    // ref* finds the conversation whose message says "refund", and the one about a reference.
    expect((await subjects(page)).sort()).toEqual(['Reference photo for the lamp', 'Where is my money?'])
    const marks = page.locator('.conversation-list mark')
    expect(await marks.first().isVisible()).toBe(true)
    expect(await marks.allTextContents()).toEqual(expect.arrayContaining(['Reference', 'refund']))

    // Filters typed in the query narrow the list.
    await box.fill('from:alice status:pending tag:vip')
    await Promise.all([page.waitForURL(/q=from/), box.press('Enter')])
    expect(await subjects(page)).toEqual(['Where is my money?'])
    expect(await page.locator('.row-customer mark').allTextContents()).toEqual(['Alice'])

    // Saved under a name, found again from another list.
    await page.getByText('Save this search').click()
    await page.getByLabel('Name').fill('Alice VIP waiting')
    await Promise.all([page.waitForURL(/q=from/), page.getByRole('button', { name: 'Save', exact: true }).click()])
    expect(await page.locator('.flash').textContent()).toContain('Search saved as “Alice VIP waiting”.')
    await page.goto(`${app.url}/conversations?tab=new`)
    // In the left column, with the folders.
    const leftColumn = page.getByRole('navigation', { name: 'Folders and saved searches' })
    await Promise.all([page.waitForURL(/q=from%3Aalice/), leftColumn.getByRole('link', { name: 'Alice VIP waiting' }).click()])
    expect(await subjects(page)).toEqual(['Where is my money?'])
    expect(await leftColumn.getByRole('link', { name: 'Alice VIP waiting' }).getAttribute('aria-current')).toBe('page')

    // The results with their marks, and the suggestions open, at both widths.
    await box.fill('ref* ta')
    await expect.poll(() => listbox.isVisible()).toBe(true)
    await page.setViewportSize({ width: 1440, height: 900 })
    await page.screenshot({ path: path.join(ARTIFACTS, 'search-1440.png') })
    await page.setViewportSize({ width: 390, height: 844 })
    await page.screenshot({ path: path.join(ARTIFACTS, 'search-390.png'), fullPage: true })
    expect(problems).toEqual([])
    await page.close()
  }, 60_000)

  it('speaks French to a French agent: keys, statuses and a filter that matches nothing', async () => {
    const page = await browser.context.newPage()
    const problems: string[] = []
    watchProblems(page, problems)
    // A context of its own: the other test's session must not carry over.
    await page.context().clearCookies()
    await signInPage(page, app.url, frenchEmail)
    await page.goto(`${app.url}/conversations?tab=all`)
    const box = page.locator('#q')
    await box.click()
    await box.pressSequentially('statut:att', { delay: 40 })
    const options = page.locator('#q-suggestions [role="option"]')
    await expect.poll(() => options.allTextContents()).toEqual([expect.stringContaining('statut:attente')])
    expect(await options.textContent()).toContain('En attente')
    await box.press('ArrowDown')
    await box.press('Enter')
    await box.pressSequentially('étiquette:rien', { delay: 20 })
    await Promise.all([page.waitForURL(/q=/), box.press('Enter')])
    // A typed status opens its tab; the tag that does not exist is named.
    expect(new URL(page.url()).searchParams.get('tab')).toBe('all')
    expect(await page.locator('.search-problems').textContent()).toContain(
      '«\u202fétiquette:rien\u202f» ne donne rien\u00a0: aucune étiquette ne porte ce nom.',
    )
    expect(await page.locator('.conversation-row').count()).toBe(0)
    expect(problems).toEqual([])
    await page.close()
  }, 60_000)
})
