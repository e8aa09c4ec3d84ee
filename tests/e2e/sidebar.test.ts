import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../src/domain/actor.ts'
import { ARTIFACTS, launchChromium, signInPage, watchProblems } from '../helpers/browser.ts'
import { buildAgent, buildConversation, buildFolder, buildTag } from '../helpers/factories.ts'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'

type Browser = Awaited<ReturnType<typeof launchChromium>>

describe('the conversation sidebar in the browser', () => {
  let app: TestApp
  let ada: Actor
  let outsider: Actor
  let general: { id: number }
  let returns: { id: number }
  let vip: { id: number }
  const prisma = () => app.ctx.db.prisma

  beforeAll(async () => {
    app = await startTestApp()
    general = await buildFolder(prisma(), 'General desk')
    returns = await buildFolder(prisma(), 'Returns desk')
    ada = await buildAgent(prisma(), { folderIds: [general.id, returns.id], name: 'Ada Agent' })
    outsider = await buildAgent(prisma(), { folderIds: [returns.id], name: 'Olga Outside' })
    vip = await buildTag(prisma(), 'vip', 'purple')
  })
  afterAll(async () => {
    await app?.close()
  })

  const conversationRow = (id: number) => prisma().conversation.findUniqueOrThrow({ where: { id }, include: { tags: true } })

  it('changes status, assignee, folder and tags in place, with a toast and an Undo, never reloading the page', async () => {
    const browser: Browser = await launchChromium()
    const problems: string[] = []
    try {
      const conversation = await buildConversation(app.ctx.domain, ada, { folderId: general.id, subject: 'The kettle whistles twice' })
      const page = await browser.context.newPage()
      page.setDefaultTimeout(10_000)
      watchProblems(page, problems)
      await page.setViewportSize({ width: 1440, height: 900 })
      await signInPage(page, app.url, ada.email)
      await page.goto(`${app.url}/conversations/${conversation.number}`)
      // Every navigation of the page from here on is counted: there must be none.
      let navigations = 0
      page.on('framenavigated', (frame) => {
        if (frame === page.mainFrame()) navigations++
      })
      await page.evaluate(() => ((window as unknown as { __noReload: number }).__noReload = 1))
      const toast = page.locator('#toast [role="status"]')
      const toastText = () => toast.textContent()
      const focusedId = () => page.evaluate(() => document.activeElement?.id ?? '')

      // The choices are sent as soon as they are made: their buttons are gone.
      expect(await page.locator('[data-sidebar-submit]').first().isHidden()).toBe(true)

      // 1. Status: the toast says it, the header's badge follows, focus stays on the select.
      await page.locator('#set-status').focus()
      await page.selectOption('#set-status', 'closed')
      await expect.poll(toastText, { timeout: 5_000 }).toBe('Status set to Closed.')
      expect(await page.locator('#conversation-status').textContent()).toContain('Closed')
      expect((await conversationRow(conversation.id)).status).toBe('closed')
      expect(await focusedId()).toBe('set-status')
      await page.screenshot({ path: path.join(ARTIFACTS, 'sidebar-1440.png'), fullPage: false })
      // Undo puts it back, through the same command: the history has both.
      await page.locator('#toast .toast-undo').click()
      await expect.poll(toastText, { timeout: 5_000 }).toBe('Undone: Status set to New.')
      expect((await conversationRow(conversation.id)).status).toBe('new')
      expect(await page.locator('#set-status').inputValue()).toBe('new')
      expect(await page.locator('#conversation-status').textContent()).toContain('New')
      expect(await page.locator('.history').textContent()).toContain('changed the status from Closed to New')
      // The undo is not offered again, and Escape dismisses the toast.
      expect(await page.locator('#toast .toast-undo').isHidden()).toBe(true)
      await page.keyboard.press('Escape')
      await expect.poll(toastText, { timeout: 5_000 }).toBe('')

      // 2. Assign to me: one click; the button goes once it is mine.
      await page.locator('button[data-action="assign-me"]').click()
      await expect.poll(toastText, { timeout: 5_000 }).toBe('Assigned to you.')
      expect((await conversationRow(conversation.id)).assigneeId).toBe(ada.id)
      expect(await page.locator('#assignee').inputValue()).toBe(String(ada.id))
      expect(await page.locator('button[data-action="assign-me"]').count()).toBe(0)

      // 3. Move: the header names the new folder; Undo moves it back.
      await page.selectOption('#folder', String(returns.id))
      await expect.poll(toastText, { timeout: 5_000 }).toBe('Moved to Returns desk.')
      expect(await page.locator('#conversation-folder').textContent()).toBe('Returns desk')
      expect((await conversationRow(conversation.id)).folderId).toBe(returns.id)
      await page.locator('#toast .toast-undo').click()
      await expect.poll(toastText, { timeout: 5_000 }).toBe('Undone: Moved to General desk.')
      expect((await conversationRow(conversation.id)).folderId).toBe(general.id)
      expect(await page.locator('#conversation-folder').textContent()).toBe('General desk')

      // 4. A tag added by choosing it, removed by its button, and put back by Undo.
      await page.selectOption('#add-tag', String(vip.id))
      await expect.poll(toastText, { timeout: 5_000 }).toBe('Tag “vip” added.')
      expect(await page.locator('.sidebar .tag-list').textContent()).toContain('vip')
      expect(await focusedId()).not.toBe('')
      await page.locator(`#remove-tag-${vip.id}`).click()
      await expect.poll(toastText, { timeout: 5_000 }).toBe('Tag “vip” removed.')
      expect(await page.locator('.sidebar .tag-list').count()).toBe(0)
      expect((await conversationRow(conversation.id)).tags).toEqual([])
      await page.locator('#toast .toast-undo').click()
      await expect.poll(toastText, { timeout: 5_000 }).toBe('Undone: Tag “vip” added.')
      expect((await conversationRow(conversation.id)).tags.map((t) => t.tagId)).toEqual([vip.id])

      // 5. A refusal (an assignee who cannot work in the folder): said at once, nothing changed.
      await page.evaluate((id) => {
        const option = document.createElement('option')
        option.value = String(id)
        option.textContent = 'Olga'
        document.getElementById('assignee')!.appendChild(option)
      }, outsider.id)
      await page.selectOption('#assignee', String(outsider.id))
      await expect.poll(() => page.locator('#toast [role="alert"]').textContent(), { timeout: 5_000 }).toContain('That agent cannot work in this folder')
      expect(await page.locator('#assignee').inputValue()).toBe(String(ada.id))
      expect((await conversationRow(conversation.id)).assigneeId).toBe(ada.id)

      // Arrow keys on the closed select step through the statuses: one change is sent when they rest, not one per step.
      const statusPosts: string[] = []
      page.on('request', (r) => {
        if (r.method() === 'POST' && new URL(r.url()).pathname.endsWith('/status')) statusPosts.push(r.url())
      })
      await page.locator('#set-status').focus()
      await page.keyboard.press('ArrowDown')
      await page.keyboard.press('ArrowDown')
      expect(await page.locator('#set-status').inputValue()).toBe('pending')
      await expect.poll(toastText, { timeout: 5_000 }).toBe('Status set to Pending.')
      expect(statusPosts).toHaveLength(1)
      expect((await conversationRow(conversation.id)).status).toBe('pending')

      // No page load happened through all of this.
      expect(navigations).toBe(0)
      expect(await page.evaluate(() => (window as unknown as { __noReload?: number }).__noReload)).toBe(1)

      // The same on a phone.
      await page.setViewportSize({ width: 390, height: 844 })
      await page.selectOption('#set-status', 'open')
      await expect.poll(toastText, { timeout: 5_000 }).toBe('Status set to Open.')
      await page.locator('#set-status').scrollIntoViewIfNeeded()
      await page.screenshot({ path: path.join(ARTIFACTS, 'sidebar-390.png'), fullPage: false })
      // The refusal above is the one 400 the browser reports.
      expect(problems.filter((p) => !/status of 400 .*\/assign\)$/.test(p))).toEqual([])
      expect(problems).toHaveLength(1)
    } finally {
      await browser.close()
    }
  }, 120_000)

  it('without JavaScript, the same forms post and the next page confirms, with an Undo form', async () => {
    const browser: Browser = await launchChromium({ javaScriptEnabled: false })
    try {
      const conversation = await buildConversation(app.ctx.domain, ada, { folderId: general.id, subject: 'The toaster smells of toast' })
      const page = await browser.context.newPage()
      page.setDefaultTimeout(10_000)
      await signInPage(page, app.url, ada.email)
      const href = `${app.url}/conversations/${conversation.number}`
      await page.goto(href)
      const flash = page.locator('.flash').first()

      // Status: choose, press the button beside it.
      await page.selectOption('#set-status', 'pending')
      await Promise.all([page.waitForURL(href), page.getByRole('button', { name: 'Set status' }).click()])
      expect(await flash.textContent()).toContain('Status set to Pending.')
      expect((await conversationRow(conversation.id)).status).toBe('pending')
      await page.setViewportSize({ width: 1440, height: 900 })
      await page.screenshot({ path: path.join(ARTIFACTS, 'sidebar-no-javascript-1440.png'), fullPage: false })
      await Promise.all([page.waitForURL(href), flash.getByRole('button', { name: 'Undo' }).click()])
      expect(await flash.textContent()).toContain('Undone: Status set to New.')
      expect(await page.locator('.flash-undo').count()).toBe(0)
      expect((await conversationRow(conversation.id)).status).toBe('new')

      // Assign to me: one click.
      await Promise.all([page.waitForURL(href), page.locator('button[data-action="assign-me"]').click()])
      expect(await flash.textContent()).toContain('Assigned to you.')
      expect((await conversationRow(conversation.id)).assigneeId).toBe(ada.id)

      // Move, and a tag added then removed.
      await page.selectOption('#folder', String(returns.id))
      await Promise.all([page.waitForURL(href), page.getByRole('button', { name: 'Move' }).click()])
      expect(await flash.textContent()).toContain('Moved to Returns desk.')
      await page.selectOption('#add-tag', String(vip.id))
      await Promise.all([page.waitForURL(href), page.getByRole('button', { name: 'Add tag' }).click()])
      expect(await flash.textContent()).toContain('Tag “vip” added.')
      await Promise.all([page.waitForURL(href), page.getByRole('button', { name: 'Remove the tag vip' }).click()])
      expect(await flash.textContent()).toContain('Tag “vip” removed.')
      await Promise.all([page.waitForURL(href), flash.getByRole('button', { name: 'Undo' }).click()])
      expect(await flash.textContent()).toContain('Undone: Tag “vip” added.')
      expect(await conversationRow(conversation.id)).toMatchObject({
        folderId: returns.id,
        assigneeId: ada.id,
        tags: [expect.objectContaining({ tagId: vip.id })],
      })
    } finally {
      await browser.close()
    }
  }, 120_000)
})
