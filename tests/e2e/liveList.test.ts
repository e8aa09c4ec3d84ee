import path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../src/domain/actor.ts'
import { addInternalComment } from '../../src/domain/conversations/commands/addInternalComment.ts'
import { assignConversation } from '../../src/domain/conversations/commands/assignConversation.ts'
import { setConversationStatus } from '../../src/domain/conversations/commands/setConversationStatus.ts'
import { ARTIFACTS, gotoLive, launchChromium, signInPage, watchProblems } from '../helpers/browser.ts'
import { buildAgent, buildConversation, buildFolder } from '../helpers/factories.ts'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'

type Browser = Awaited<ReturnType<typeof launchChromium>>
const SEEDED = 60

const rowIds = (page: Page) =>
  page.locator('.conversation-list .conversation-row').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-conversation-id'))))

describe('the live list and its pages, with two agents', () => {
  let app: TestApp
  let browserA: Browser
  let browserB: Browser
  let alice: Actor
  let bruno: Actor
  let folderId: number
  /** The seeded conversations' ids, newest first. */
  let seeded: number[]

  beforeAll(async () => {
    app = await startTestApp()
    const prisma = app.ctx.db.prisma
    const folder = await buildFolder(prisma, 'Garden tools')
    folderId = folder.id
    alice = await buildAgent(prisma, { folderIds: [folder.id], name: 'Alice Agent' })
    bruno = await buildAgent(prisma, { folderIds: [folder.id], name: 'Bruno Agent' })
    const customer = await prisma.customer.create({ data: { email: 'gardener@example.com', name: 'Gemma Gardener' } })
    const now = Date.now()
    await prisma.conversation.createMany({
      data: Array.from({ length: SEEDED }, (_, i) => ({
        subject: `Hose reel question ${i + 1}`,
        snippet: 'The reel jams after a few turns.',
        channel: 'email' as const,
        status: 'open' as const,
        folderId,
        customerId: customer.id,
        lastActivityAt: new Date(now - (i + 1) * 60_000),
      })),
    })
    seeded = (await prisma.conversation.findMany({ where: { folderId }, orderBy: [{ lastActivityAt: 'desc' }, { id: 'desc' }] })).map((c) => c.id)
    browserA = await launchChromium()
    browserB = await launchChromium()
  })
  afterAll(async () => {
    await browserA?.close()
    await browserB?.close()
    await app?.close()
  })

  it('shows new and changed conversations without a reload, keeping the checked row, the focus and the scroll position', async () => {
    const problems: string[] = []
    const a = await browserA.context.newPage()
    a.setDefaultTimeout(10_000)
    watchProblems(a, problems, 'A')
    await a.setViewportSize({ width: 1440, height: 900 })
    await signInPage(a, app.url, alice.email)
    await gotoLive(a, `${app.url}/conversations?tab=all&folder=${folderId}`)
    expect(await rowIds(a)).toEqual(seeded.slice(0, 50))
    await a.evaluate(() => ((window as unknown as { __noReload: number }).__noReload = 42))

    // A checks a row (focus stays on its checkbox) and scrolls the list down.
    const checked = seeded[12]!
    await a.locator(`.conversation-row[data-conversation-id="${checked}"] .row-select`).check()
    expect(await a.locator('.bulk-count').textContent()).toBe('1 selected')
    const anchorId = seeded[10]!
    const anchorTop = await a.evaluate((id) => {
      const row = document.querySelector(`.conversation-row[data-conversation-id="${id}"]`)!
      window.scrollBy(0, row.getBoundingClientRect().top - 40)
      return row.getBoundingClientRect().top
    }, anchorId)
    expect(Math.abs(anchorTop - 40)).toBeLessThan(2)
    const scrolled = await a.evaluate(() => window.scrollY)
    expect(scrolled).toBeGreaterThan(100)

    // B creates a conversation, assigns one to himself (it changes in place) and comments on
    // another (it moves to the top).
    const assigned = seeded[5]!
    const commented = seeded[30]!
    const created = await buildConversation(app.ctx.domain, bruno, { folderId, subject: 'Broken rake handle', customerName: 'Rowan Rake' })
    await assignConversation(app.ctx.domain, bruno, { conversationId: assigned, assigneeId: bruno.id })
    await addInternalComment(app.ctx.domain, bruno, { conversationId: commented, text: 'Asked the warehouse.' })

    await a.waitForSelector(`.conversation-row[data-conversation-id="${created.id}"]`)
    await a.waitForFunction(
      (id) => document.querySelector(`.conversation-row[data-conversation-id="${id}"] .row-assignee`)?.textContent === 'Bruno Agent',
      assigned,
    )
    await a.waitForFunction(
      (id) => document.querySelector('.conversation-list .conversation-row')?.getAttribute('data-conversation-id') === String(id),
      commented,
    )
    const ids = await rowIds(a)
    expect(ids.slice(0, 2)).toEqual([commented, created.id])
    // Still one page: the last two rows went down to the next page.
    expect(ids).toHaveLength(50)
    expect(ids.slice(2)).toEqual(
      seeded
        .slice(0, 50)
        .filter((id) => id !== commented)
        .slice(0, 48),
    )
    // No reload; the checked row is still checked and focused; the row at the top of the view has not moved.
    expect(await a.evaluate(() => (window as unknown as { __noReload?: number }).__noReload)).toBe(42)
    expect(await a.locator(`.conversation-row[data-conversation-id="${checked}"] .row-select`).isChecked()).toBe(true)
    expect(await a.locator('.bulk-count').textContent()).toBe('1 selected')
    expect(await a.evaluate(() => document.activeElement?.closest('.conversation-row')?.getAttribute('data-conversation-id'))).toBe(String(checked))
    const anchorNow = await a.evaluate((id) => document.querySelector(`.conversation-row[data-conversation-id="${id}"]`)!.getBoundingClientRect().top, anchorId)
    expect(Math.abs(anchorNow - anchorTop)).toBeLessThan(2)
    expect(await a.locator('#list-announce').textContent()).toBe('1 new conversation')
    // The position and the tab counts followed.
    expect(await a.locator('.pager-position').textContent()).toBe(`1–50 of ${SEEDED + 1}`)
    expect(await a.locator('.tabs a.tab[aria-current="page"] .count').textContent()).toBe(String(SEEDED + 1))
    await a.evaluate(() => window.scrollTo(0, 0))
    await a.screenshot({ path: path.join(ARTIFACTS, 'liveList-1440.png') })
    await a.close()
    expect(problems).toEqual([])
  })

  it('fills a list that was empty, and its bulk bar works with the rows that came', async () => {
    const problems: string[] = []
    const b = await browserB.context.newPage()
    b.setDefaultTimeout(10_000)
    watchProblems(b, problems, 'B')
    await signInPage(b, app.url, bruno.email)
    await gotoLive(b, `${app.url}/conversations?tab=pending&folder=${folderId}`)
    expect(await b.locator('.empty-state').isVisible()).toBe(true)
    expect(await b.locator('form.bulk').isVisible()).toBe(false)

    await setConversationStatus(app.ctx.domain, alice, { conversationId: seeded[40]!, status: 'pending' })
    await b.waitForSelector(`.conversation-row[data-conversation-id="${seeded[40]}"]`)
    expect(await b.locator('.empty-state').isVisible()).toBe(false)
    expect(await b.locator('form.bulk').isVisible()).toBe(true)
    const apply = b.locator('.bulk-bar button[type="submit"]')
    expect(await apply.isDisabled()).toBe(true)
    await b.locator(`.conversation-row[data-conversation-id="${seeded[40]}"] .row-select`).check()
    expect(await apply.isDisabled()).toBe(false)
    expect(await b.locator('.bulk-count').textContent()).toBe('1 selected')
    await b.close()
    expect(problems).toEqual([])
  })

  it('goes to older rows and back to newer ones, saying where the page stands (in French too)', async () => {
    const problems: string[] = []
    const a = await browserA.context.newPage()
    a.setDefaultTimeout(10_000)
    watchProblems(a, problems, 'A')
    await a.setViewportSize({ width: 390, height: 844 })
    await gotoLive(a, `${app.url}/conversations?tab=all&folder=${folderId}`)
    const first = await rowIds(a)
    expect(first).toHaveLength(50)
    const total = SEEDED + 1
    expect(await a.locator('.pager-position').textContent()).toBe(`1–50 of ${total}`)
    expect(await a.locator('a[rel="prev"]').count()).toBe(0)

    await Promise.all([a.waitForURL(/after=/), a.locator('a[rel="next"]').click()])
    const second = await rowIds(a)
    expect(second).toHaveLength(total - 50)
    expect(second.some((id) => first.includes(id))).toBe(false)
    expect(await a.locator('.pager-position').textContent()).toBe(`51–${total} of ${total}`)
    expect(await a.locator('a[rel="next"]').count()).toBe(0)
    await a.locator('.pager').scrollIntoViewIfNeeded()
    await a.screenshot({ path: path.join(ARTIFACTS, 'liveList-390.png') })

    await Promise.all([a.waitForURL(/before=/), a.locator('a[rel="prev"]').click()])
    expect(await rowIds(a)).toEqual(first)
    expect(await a.locator('.pager-position').textContent()).toBe(`1–50 of ${total}`)
    expect(await a.locator('a[rel="prev"]').count()).toBe(0)

    // The same page to a French reader.
    await app.ctx.db.prisma.agent.update({ where: { id: alice.id }, data: { locale: 'fr' } })
    await a.goto(`${app.url}/conversations?tab=all&folder=${folderId}`)
    await Promise.all([a.waitForURL(/after=/), a.locator('a[rel="next"]').click()])
    expect(await a.locator('.pager-position').textContent()).toBe(`51–${total} sur ${total}`)
    await a.close()
    expect(problems).toEqual([])
  })
})
