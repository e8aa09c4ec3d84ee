import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../src/domain/actor.ts'
import { translate } from '../../src/i18n/translate.ts'
import { ARTIFACTS, flat, launchChromium, signInPage, watchProblems } from '../helpers/browser.ts'
import { buildAgent, buildConversation, buildFolder } from '../helpers/factories.ts'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'

type Browser = Awaited<ReturnType<typeof launchChromium>>

describe('saved replies in the browser', () => {
  let app: TestApp
  let browser: Browser
  let rita: Actor
  let folderId: number
  let conversation: { id: number; number: number }
  const prisma = () => app.ctx.db.prisma

  beforeAll(async () => {
    app = await startTestApp()
    folderId = (await buildFolder(prisma(), 'Returns')).id
    rita = await buildAgent(prisma(), { folderIds: [folderId], name: 'Rita Ramos' })
    conversation = await buildConversation(app.ctx.domain, rita, { folderId, customerName: 'Zoé Fontaine', subject: 'The vase arrived broken' })
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await app?.close()
  })

  it('an agent writes one with variables, inserts it with the picker and with /, sends it; the French page speaks French', async () => {
    const problems: string[] = []
    const page = await browser.context.newPage()
    page.setDefaultTimeout(10_000)
    watchProblems(page, problems)
    await page.setViewportSize({ width: 1440, height: 900 })
    await signInPage(page, app.url, rita.email)

    // 1. From the left column to the page, then a new saved reply written in the rich editor.
    await Promise.all([page.waitForURL(/\/saved-replies$/), page.locator('.sidenav').getByRole('link', { name: 'Saved replies' }).click()])
    await Promise.all([page.waitForURL(/\/saved-replies\/new$/), page.getByRole('link', { name: 'New saved reply' }).click()])
    await page.getByLabel('Name').fill('Return label')
    expect(await page.locator('#saved-reply-folder option:checked').textContent()).toBe('Returns')
    await page.locator('.saved-reply-form .ql-editor').click()
    await page.keyboard.type('Hello {{customer.firstName}}, your return label for #{{conversation.number}} is attached. {{agent.firstName}}')
    await Promise.all([page.waitForURL(/\/saved-replies$/), page.getByRole('button', { name: 'Create saved reply' }).click()])
    expect(flat(await page.locator('.flash').textContent())).toBe('Saved reply “Return label” created.')
    const row = page.locator('.saved-replies-table tbody tr', { hasText: 'Return label' })
    expect(flat(await row.textContent())).toContain('Returns')
    await page.getByRole('link', { name: 'New saved reply' }).click()
    await page.getByLabel('Name').fill('Photos please')
    await page.locator('.saved-reply-form .ql-editor').click()
    await page.keyboard.type('Could you send photos of the parcel, {{customer.name}}?')
    await Promise.all([page.waitForURL(/\/saved-replies$/), page.getByRole('button', { name: 'Create saved reply' }).click()])

    // 2. The conversation: the picker beside the editor, searched, chosen with the keyboard.
    await page.goto(`${app.url}/conversations/${conversation.number}`)
    const editor = page.locator('.reply-form .ql-editor')
    // The plain list is for browsers without JavaScript.
    expect(await page.locator('.saved-replies-fallback').isHidden()).toBe(true)
    const open = page.getByRole('button', { name: 'Saved replies' })
    await open.click()
    const search = page.getByRole('combobox', { name: 'Search saved replies' })
    await expect.poll(() => search.evaluate((el) => el === document.activeElement)).toBe(true)
    expect(await open.getAttribute('aria-expanded')).toBe('true')
    await expect.poll(() => page.locator('#saved-replies-listbox [role="option"]').count()).toBe(2)
    // Arrows move the highlight (aria-activedescendant), wrapping round.
    const first = await search.getAttribute('aria-activedescendant')
    await search.press('ArrowDown')
    const second = await search.getAttribute('aria-activedescendant')
    expect(second).not.toBe(first)
    expect(await page.locator(`#${second}`).getAttribute('aria-selected')).toBe('true')
    await search.press('ArrowDown')
    expect(await search.getAttribute('aria-activedescendant')).toBe(first)
    await search.fill('label')
    await expect.poll(() => page.locator('#saved-replies-listbox [role="option"]').count()).toBe(1)
    const active = await search.getAttribute('aria-activedescendant')
    expect(flat(await page.locator(`#${active}`).textContent())).toContain('Return label')
    await page.screenshot({ path: path.join(ARTIFACTS, 'saved-replies-1440.png'), fullPage: true })
    await search.press('Enter')
    const filled = `Hello Zoé, your return label for #${conversation.number} is attached. Rita`
    await expect.poll(async () => flat(await editor.textContent())).toContain(filled)
    expect(await page.locator('#saved-replies-popup').isHidden()).toBe(true)

    // Escape closes the list without inserting anything.
    await open.click()
    await search.press('Escape')
    expect(await page.locator('#saved-replies-popup').isHidden()).toBe(true)
    await expect.poll(() => open.evaluate((el) => el === document.activeElement)).toBe(true)

    // 3. Typing / in the editor opens the same list, filtered by what follows; Enter puts it in place of the /word.
    await editor.click()
    await page.keyboard.press('Control+End')
    await page.keyboard.press('Enter')
    await page.keyboard.type('/phot')
    await expect.poll(() => page.locator('#saved-replies-popup').isVisible()).toBe(true)
    await expect.poll(() => page.locator('#saved-replies-listbox [role="option"]').count()).toBe(1)
    await expect.poll(() => editor.getAttribute('aria-activedescendant')).toMatch(/^saved-reply-option-\d+$/)
    await page.keyboard.press('Enter')
    await expect.poll(async () => flat(await editor.textContent())).toContain('Could you send photos of the parcel, Zoé Fontaine?')
    expect(flat(await editor.textContent())).not.toContain('/phot')
    expect(await page.locator('#saved-replies-popup').isHidden()).toBe(true)

    // 4. Sent: both texts reach the thread; both uses are counted and in the history.
    // Leaving the editor saves the draft (drafts.js); sending waits for that save, so let it land first.
    const draftSaved = page.waitForResponse((r) => r.request().method() === 'PUT' && new URL(r.url()).pathname.endsWith('/draft'), { timeout: 5_000 })
    await page.locator('#status-after').focus()
    await draftSaved.catch(() => null)
    // The page is already at that address: wait for the answer to the post, then the page.
    const posted = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith('/messages'))
    await page.locator('.reply-form .editor-actions button.button-primary[type="submit"]').click()
    await posted
    await page.waitForURL(new RegExp(`/conversations/${conversation.number}$`), { waitUntil: 'load' })
    const thread = flat(await page.locator('ol.thread').textContent())
    expect(thread).toContain(filled)
    expect(thread).toContain('Could you send photos of the parcel, Zoé Fontaine?')
    const counts = await prisma().savedReply.findMany({ orderBy: { name: 'asc' }, select: { name: true, useCount: true } })
    expect(counts).toEqual([
      { name: 'Photos please', useCount: 1 },
      { name: 'Return label', useCount: 1 },
    ])
    expect(await prisma().event.count({ where: { type: 'saved_reply.used', conversationId: conversation.id } })).toBe(2)

    // 5. In French, on a phone: the labels are French, the list still works.
    await prisma().agent.update({ where: { id: rita.id }, data: { locale: 'fr' } })
    await page.setViewportSize({ width: 390, height: 844 })
    await page.goto(`${app.url}/conversations/${conversation.number}`)
    expect(flat(await page.locator('.history').textContent())).toContain('Rita Ramos a inséré une réponse enregistrée')
    const frOpen = page.getByRole('button', { name: translate('fr', 'savedReplies.openPicker') })
    await frOpen.click()
    await page.getByRole('combobox', { name: 'Rechercher une réponse enregistrée' }).fill('zzz')
    await expect.poll(async () => flat(await page.locator('.saved-replies-status').textContent())).toBe('Aucune réponse enregistrée ne correspond.')
    await page.getByRole('combobox', { name: 'Rechercher une réponse enregistrée' }).fill('')
    await expect.poll(() => page.locator('#saved-replies-listbox [role="option"]').count()).toBe(2)
    await page.screenshot({ path: path.join(ARTIFACTS, 'saved-replies-390.png'), fullPage: true })
    await page.goto(`${app.url}/saved-replies`)
    expect(flat(await page.locator('h1').textContent())).toBe('Réponses enregistrées')
    expect(flat(await page.locator('.saved-replies-table thead').textContent())).toContain('Utilisations')
    // Nothing overflows the phone's width.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)

    expect(problems).toEqual([])
  }, 90_000)
})
