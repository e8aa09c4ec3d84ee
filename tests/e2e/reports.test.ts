import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { asCustomer, SYSTEM, type Actor } from '../../src/domain/actor.ts'
import { addCustomerMessage } from '../../src/domain/conversations/commands/addCustomerMessage.ts'
import { replyAsAgent } from '../../src/domain/conversations/commands/replyAsAgent.ts'
import { setConversationStatus } from '../../src/domain/conversations/commands/setConversationStatus.ts'
import { startCustomerConversation } from '../../src/domain/conversations/commands/startCustomerConversation.ts'
import { addTag } from '../../src/domain/conversations/commands/tagConversation.ts'
import { recordRating } from '../../src/domain/ratings/recordRating.ts'
import { rebuildReports } from '../../src/domain/reports/rebuild.ts'
import { seriousViolations } from '../helpers/accessibility.ts'
import { ARTIFACTS, flat, launchChromium, watchProblems } from '../helpers/browser.ts'
import { buildAgent, buildFolder, buildTag, PASSWORD, testClock } from '../helpers/factories.ts'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'

type Browser = Awaited<ReturnType<typeof launchChromium>>

const MINUTE = 60_000

/** A small deterministic generator: the same activity on every run. */
function random(seed: number) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
  }
}

async function signIn(page: Page, app: TestApp, email: string) {
  page.setDefaultTimeout(15_000)
  await page.goto(`${app.url}/login`)
  await page.locator('input[name="email"]').fill(email)
  await page.locator('input[name="password"]').fill(PASSWORD)
  await Promise.all([page.waitForURL(/\/conversations/, { timeout: 30_000 }), page.locator('button[type="submit"]').click()])
}

describe('the reports page in a browser', { timeout: 180_000 }, () => {
  // Activity over the five weeks before 15 January 2027, office hours in Paris.
  const time = testClock(new Date('2026-12-08T08:00:00Z'))
  let app: TestApp
  let browser: Browser
  let admin: Actor

  beforeAll(async () => {
    app = await startTestApp({}, { clock: time.clock })
    const ctx = app.ctx.domain
    const prisma = ctx.prisma
    const support = await buildFolder(prisma, 'Support')
    const sales = await buildFolder(prisma, 'Sales')
    await prisma.folder.updateMany({ data: { ratingsEnabled: true } })
    admin = await buildAgent(prisma, { role: 'admin', name: 'Alice Admin' })
    await prisma.agent.update({ where: { id: admin.id }, data: { timeZone: 'Europe/Paris' } })
    const agents = [
      await buildAgent(prisma, { folderIds: [support.id], name: 'Bruno Ferreira' }),
      await buildAgent(prisma, { folderIds: [support.id, sales.id], name: 'Chloé Martin' }),
      await buildAgent(prisma, { folderIds: [sales.id], name: 'Dmitri Volkov' }),
    ]
    const tags = [await buildTag(prisma, 'billing', 'amber'), await buildTag(prisma, 'bug', 'red'), await buildTag(prisma, 'vip', 'purple')]
    const r = random(19)
    const comments = ['Quick and kind, thank you!', 'It took a while, but it works now.', 'Nobody answered my second question.', '=1+1 (not a formula)']
    for (let day = 0; day < 38; day++) {
      const start = Date.parse('2026-12-08T07:00:00Z') + day * 86_400_000
      const weekday = new Date(start).getUTCDay()
      const count = weekday === 0 || weekday === 6 ? r.int(0, 1) : r.int(1, 4)
      for (let i = 0; i < count; i++) {
        time.set(new Date(start + r.int(0, 10 * 60) * MINUTE))
        const folder = r.next() < 0.65 ? support : sales
        const { conversation } = await startCustomerConversation(ctx, SYSTEM, {
          customerEmail: `customer-${r.int(1, 30)}@example.com`,
          customerName: r.pick(['Marie Curie', 'Alan Turing', 'Grace Hopper', 'Ada Byron', 'Linus Pauling']),
          subject: r.pick(['Refund for my order', 'Cannot log in', 'Invoice is wrong', 'Delivery is late', 'How do I export my data?']),
          folderId: folder.id,
          channel: 'email',
          text: 'Hello, I need help.',
          acknowledge: false,
        })
        if (r.next() < 0.5) await addTag(ctx, admin, { conversationId: conversation.id, tagId: r.pick(tags).id })
        const agent = r.pick(agents.filter((a) => (folder.id === support.id ? a.name !== 'Dmitri Volkov' : a.name !== 'Bruno Ferreira')))
        if (r.next() < 0.9) {
          time.advance(r.int(5, 300) * MINUTE)
          await replyAsAgent(ctx, agent, { conversationId: conversation.id, text: 'Here is what we found.' })
          if (r.next() < 0.5) {
            time.advance(r.int(30, 600) * MINUTE)
            await addCustomerMessage(ctx, asCustomer(conversation.customerId), { conversationId: conversation.id, text: 'Thanks, one more thing.' })
            time.advance(r.int(10, 200) * MINUTE)
            await replyAsAgent(ctx, agent, { conversationId: conversation.id, text: 'Done.' })
          }
          if (r.next() < 0.75) {
            time.advance(r.int(60, 2000) * MINUTE)
            await setConversationStatus(ctx, agent, { conversationId: conversation.id, status: 'closed' })
            if (r.next() < 0.5) {
              time.advance(r.int(5, 120) * MINUTE)
              const value = r.pick(['great', 'great', 'great', 'okay', 'bad'] as const)
              await recordRating(ctx, asCustomer(conversation.customerId), {
                conversationId: conversation.id,
                value,
                confirmed: true,
                comment: r.next() < 0.5 ? r.pick(comments) : undefined,
              })
            }
          }
        }
      }
    }
    time.set(new Date('2027-01-15T10:00:00Z'))
    // Counted at once rather than waiting for the rollup listener, which waits for every older
    // transaction on the database server to end (another database's long one included).
    await rebuildReports(app.ctx.db.pool)
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await app?.close()
  })

  it('shows the figures with charts, opens the numbers behind a chart, downloads a CSV, passes axe, fits 390 px', async () => {
    const page = await browser.context.newPage()
    const problems: string[] = []
    watchProblems(page, problems)
    await page.setViewportSize({ width: 1440, height: 900 })
    await signIn(page, app, admin.email)
    await Promise.all([page.waitForURL(/\/reports$/), page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click()])
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Reports')
    expect(flat(await page.locator('.reports-range').textContent())).toBe('Dec 17, 2026 – Jan 15, 2027, compared with Nov 17 – Dec 16, 2026')
    // Summary cards with the change against the previous period.
    const created = page.locator('.report-card').first()
    const allFolders = Number(await created.locator('.report-card-value').textContent())
    expect(allFolders).toBeGreaterThan(20)
    // Every chart is an image with a sentence for screen readers.
    const charts = page.locator('[role="img"]')
    expect(await charts.count()).toBe(7)
    for (const label of await charts.evaluateAll((nodes) => nodes.map((n) => n.getAttribute('aria-label') ?? ''))) expect(label.length).toBeGreaterThan(20)
    expect(await page.locator('.chart-plot rect.bar').count()).toBeGreaterThan(30)
    expect(await page.locator('.heatmap-grid rect').count()).toBe(168)
    expect(await page.locator('.heatmap-days li').allTextContents()).toEqual(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'])

    await page.screenshot({ path: path.join(ARTIFACTS, 'reports-1440.png'), fullPage: true })

    // The table behind the volume chart, one click away.
    const volume = page.getByRole('region', { name: 'Volume' })
    const table = volume.getByRole('table', { name: 'New conversations, customer messages, replies and closed conversations' })
    expect(await table.isVisible()).toBe(false)
    await volume.locator('summary').click()
    await expect.poll(() => table.isVisible()).toBe(true)
    expect(await table.locator('tbody tr').count()).toBe(30)
    expect(await table.locator('thead th').allTextContents()).toEqual(['Day', 'New conversations', 'Customer messages', 'Replies', 'Closed'])

    // Its CSV file.
    const [download] = await Promise.all([page.waitForEvent('download'), volume.getByRole('link', { name: /Download CSV/ }).click()])
    expect(download.suggestedFilename()).toBe('suivi-volume-2026-12-17-2027-01-15.csv')
    const csv = await readFile((await download.path())!, 'utf8')
    expect(csv.split('\r\n')[0]).toBe('\uFEFFDay,New conversations,Customer messages,Replies,Closed')
    expect(csv.split('\r\n')[1]).toMatch(/^2026-12-17,\d+,\d+,\d+,\d+$/)

    // The latest comments link to their conversations.
    const comments = page.locator('.report-comments li')
    expect(await comments.count()).toBeGreaterThan(0)
    expect(await comments.first().locator('a').getAttribute('href')).toMatch(/^\/conversations\/\d+$/)

    expect(await seriousViolations(page)).toEqual([])

    // The filters are a plain form: choosing a folder and a week view reloads the page with them.
    await page.locator('#report-folder').selectOption({ label: 'Sales' })
    await page.locator('#report-interval').selectOption('week')
    await Promise.all([page.waitForURL(/folder=\d+/), page.getByRole('button', { name: 'Apply' }).click()])
    expect(new URL(page.url()).searchParams.get('interval')).toBe('week')
    const sales = Number(await created.locator('.report-card-value').textContent())
    expect(sales).toBeGreaterThan(0)
    expect(sales).toBeLessThan(allFolders)
    await Promise.all([page.waitForURL(/period=90d/), page.getByRole('link', { name: '90 days' }).click()])
    expect(await page.getByRole('link', { name: '90 days' }).getAttribute('aria-current')).toBe('true')

    // A phone: nothing wider than the screen, in the dark theme too.
    await page.goto(`${app.url}/reports`)
    await page.setViewportSize({ width: 390, height: 844 })
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await page.screenshot({ path: path.join(ARTIFACTS, 'reports-390.png'), fullPage: true })
    await page.emulateMedia({ colorScheme: 'dark' })
    await page.setViewportSize({ width: 1440, height: 900 })
    expect(await seriousViolations(page)).toEqual([])
    await page.screenshot({ path: path.join(ARTIFACTS, 'reports-1440-dark.png'), fullPage: true })
    expect(problems).toEqual([])
  })
})
