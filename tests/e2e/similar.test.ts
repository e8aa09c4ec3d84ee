import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../src/domain/actor.ts'
import { replyAsAgent } from '../../src/domain/conversations/commands/replyAsAgent.ts'
import { setConversationStatus } from '../../src/domain/conversations/commands/setConversationStatus.ts'
import { ARTIFACTS, flat, gotoLive, launchChromium, signInPage, watchProblems } from '../helpers/browser.ts'
import { buildAgent, buildConversation, buildFolder } from '../helpers/factories.ts'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'

describe('similar solved conversations in the browser', () => {
  let app: TestApp
  let alice: Actor
  let folderId: number

  beforeAll(async () => {
    app = await startTestApp()
    folderId = (await buildFolder(app.ctx.db.prisma, 'Kitchen appliances')).id
    alice = await buildAgent(app.ctx.db.prisma, { folderIds: [folderId], name: 'Alice Martin' })
  })
  afterAll(async () => {
    await app?.close()
  })

  it('"Use this reply" puts the reply that solved a similar conversation in the editor, and it is still there as a draft after a reload', async () => {
    const old = await buildConversation(app.ctx.domain, alice, {
      folderId,
      subject: 'Blender lid cracked after washing',
      text: 'The blender lid cracked in the dishwasher.',
    })
    await replyAsAgent(app.ctx.domain, alice, { conversationId: old.id, html: '<p>We are sending a <strong>new lid</strong>; wash it by hand.</p>' })
    await setConversationStatus(app.ctx.domain, alice, { conversationId: old.id, status: 'closed' })
    const current = await buildConversation(app.ctx.domain, alice, {
      folderId,
      subject: 'Cracked blender lid',
      text: 'My blender lid cracked after washing it.',
    })

    const browser = await launchChromium()
    const problems: string[] = []
    try {
      const page = await browser.context.newPage()
      page.setDefaultTimeout(10_000)
      watchProblems(page, problems)
      await page.setViewportSize({ width: 1440, height: 900 })
      await signInPage(page, app.url, alice.email)
      const url = `${app.url}/conversations/${current.number}`
      await gotoLive(page, url)
      const card = page.locator('.similar-card')
      expect(flat(await card.locator('h2').textContent())).toBe('Similar solved conversations')
      // Looked for when the card comes into view.
      await card.scrollIntoViewIfNeeded()
      expect(flat(await card.locator('.similar-subject').textContent())).toBe('Blender lid cracked after washing')
      expect(flat(await card.locator('.similar-snippet').textContent())).toBe('We are sending a new lid; wash it by hand.')

      await card.getByRole('button', { name: /^Use this reply/ }).click()
      const editor = page.locator('.reply-form .ql-editor')
      expect(flat(await editor.textContent())).toBe('We are sending a new lid; wash it by hand.')
      expect(await editor.locator('strong').textContent()).toBe('new lid')
      await expect.poll(async () => flat(await page.locator('#draft-status').textContent()), { timeout: 5_000 }).toBe('Draft saved')
      await page.screenshot({ path: path.join(ARTIFACTS, 'similar-1440.png'), fullPage: true })

      await gotoLive(page, url)
      expect(flat(await editor.textContent())).toBe('We are sending a new lid; wash it by hand.')
      expect(await editor.locator('strong').textContent()).toBe('new lid')
      const draft = await app.ctx.db.prisma.draft.findUnique({ where: { agentId_conversationId: { agentId: alice.id, conversationId: current.id } } })
      expect(draft?.text).toBe('We are sending a new lid; wash it by hand.')
      expect(problems).toEqual([])
    } finally {
      await browser.close()
    }
  }, 60_000)
})
