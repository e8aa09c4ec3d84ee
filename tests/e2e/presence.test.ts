import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../src/domain/actor.ts'
import { ARTIFACTS, gotoLive, launchChromium, signInPage } from '../helpers/browser.ts'
import { buildAgent, buildConversation, buildFolder } from '../helpers/factories.ts'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'

type Browser = Awaited<ReturnType<typeof launchChromium>>

describe('who else is on the conversation, at the top of the page', () => {
  let app: TestApp
  let browserA: Browser
  let browserB: Browser
  let amelie: Actor
  let bruno: Actor
  let conversation: { id: number; number: number }

  beforeAll(async () => {
    app = await startTestApp()
    const prisma = app.ctx.db.prisma
    const folder = await buildFolder(prisma, 'Coffee machines')
    amelie = await buildAgent(prisma, { folderIds: [folder.id], name: 'Amélie Martin' })
    bruno = await buildAgent(prisma, { folderIds: [folder.id], name: 'Bruno Agent' })
    // Amélie reads Suivi in French.
    await prisma.agent.update({ where: { id: amelie.id }, data: { locale: 'fr' } })
    const created = await buildConversation(app.ctx.domain, amelie, { folderId: folder.id, subject: 'The grinder jams on dark roast' })
    conversation = { id: created.id, number: created.number }
    browserA = await launchChromium()
    browserB = await launchChromium()
  })
  afterAll(async () => {
    await browserA?.close()
    await browserB?.close()
    await app?.close()
  })

  it('A sees B’s avatar as soon as B opens it, and “B is replying” from B’s first keystroke', async () => {
    const a = await browserA.context.newPage()
    const b = await browserB.context.newPage()
    a.setDefaultTimeout(10_000)
    b.setDefaultTimeout(10_000)
    await a.setViewportSize({ width: 1440, height: 900 })
    await signInPage(a, app.url, amelie.email)
    await signInPage(b, app.url, bruno.email)
    const url = `${app.url}/conversations/${conversation.number}`

    await gotoLive(a, url)
    expect(await a.locator('#presence .viewer').count()).toBe(0)
    expect(await a.locator('#presence-replying').textContent()).toBe('')

    // B opens it: A's header shows B's initials, named in the tooltip and for screen readers.
    const opened = Date.now()
    await gotoLive(b, url)
    const viewer = a.locator('.conversation-header #presence .viewer')
    await viewer.waitFor({ timeout: 5_000 })
    const seenAfter = Date.now() - opened
    expect(await viewer.locator('.avatar').textContent()).toBe('BA')
    expect(await viewer.locator('.avatar').getAttribute('class')).toBe(`avatar avatar-hue-${bruno.id % 8}`)
    expect(await viewer.getAttribute('title')).toBe('Bruno Agent')
    expect(await viewer.locator('.visually-hidden').textContent()).toBe('Bruno Agent')
    // B sees A too, and not themselves.
    await b.locator('#presence .viewer').waitFor({ timeout: 5_000 })
    expect(await b.locator('#presence .avatar').allTextContents()).toEqual(['AM'])

    // B types one character: A is told at the top (French), in a polite live region, and above the editor.
    await b.locator('.reply-form .ql-editor').click()
    const typed = Date.now()
    await b.keyboard.type('B')
    const replying = a.locator('#presence-replying')
    await expect.poll(() => replying.textContent(), { timeout: 5_000 }).toBe('Bruno Agent est en train de répondre')
    const replyingAfter = Date.now() - typed
    expect(await replying.getAttribute('role')).toBe('status')
    expect(await viewer.getAttribute('class')).toContain('is-composing')
    expect(await a.locator('#collision-warning').isVisible()).toBe(true)
    // The line sits at the top: above the thread.
    const top = (await replying.boundingBox())!
    const thread = (await a.locator('ol.thread').boundingBox())!
    expect(top.y + top.height).toBeLessThanOrEqual(thread.y)
    await a.screenshot({ path: path.join(ARTIFACTS, 'presence-1440.png'), fullPage: false })

    // B leaves: the avatar and the line go.
    await b.goto(`${app.url}/conversations`)
    await expect.poll(() => a.locator('#presence .viewer').count(), { timeout: 10_000 }).toBe(0)
    expect(await replying.textContent()).toBe('')

    console.info(`presence timings: avatar ${seenAfter} ms after opening, "replying" ${replyingAfter} ms after the first keystroke`)
    expect(seenAfter).toBeLessThan(5_000)
    expect(replyingAfter).toBeLessThan(3_000)
  }, 60_000)
})
