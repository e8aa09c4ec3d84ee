import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setConversationStatus } from '../../../src/domain/conversations/commands/setConversationStatus.ts'
import { buildAgent, buildConversation, buildFolder, PASSWORD } from '../../helpers/factories.ts'
import { signIn, startTestApp, type TestApp } from '../../helpers/testApp.ts'

/** The left column's badge of a folder as the page shows it ('' when the folder has nothing to handle). */
function badge(html: string, folder: string): string {
  const link = new RegExp(`<span class="sidenav-name">${folder}</span>(?: <span class="count" aria-label="([^"]*)">([^<]*)</span>)?</a>`).exec(html)
  if (!link) throw new Error(`no link to ${folder} in the left column`)
  return link[1] ?? ''
}

describe('the left column of the list and conversation pages', () => {
  let app: TestApp
  let client: Awaited<ReturnType<typeof signIn>>['client']
  let admin: Awaited<ReturnType<typeof buildAgent>>
  let sales: { id: number }

  beforeAll(async () => {
    app = await startTestApp()
    const prisma = app.ctx.db.prisma
    sales = await buildFolder(prisma, 'Sales')
    const secret = await buildFolder(prisma, 'Legal')
    admin = await buildAgent(prisma, { role: 'admin' })
    const agent = await buildAgent(prisma, { folderIds: [sales.id] })
    await buildConversation(app.ctx.domain, admin, { folderId: sales.id })
    await buildConversation(app.ctx.domain, admin, { folderId: secret.id })
    ;({ client } = await signIn(app, agent.email, PASSWORD))
  })
  afterAll(async () => {
    await app?.close()
  })

  it('names only the agent’s folders, with what waits for the team, on the list and on a conversation', async () => {
    const list = await client.get('/conversations').expect(200)
    expect(badge(list.text, 'Sales')).toBe('1 conversation to handle')
    expect(list.text).not.toContain('Legal')
    const number = /href="\/conversations\/(\d+)"/.exec(list.text)![1]
    const page = await client.get(`/conversations/${number}`).expect(200)
    expect(badge(page.text, 'Sales')).toBe('1 conversation to handle')
    expect(page.text).toMatch(/<a href="[^"]*folder=\d+" class="sidenav-link" aria-current="page">/)
  })

  it('counts again as soon as a conversation changes, though counts are reused between changes', async () => {
    expect(badge((await client.get('/conversations').expect(200)).text, 'Sales')).toBe('1 conversation to handle')
    const c = await buildConversation(app.ctx.domain, admin, { folderId: sales.id })
    await expect.poll(async () => badge((await client.get('/conversations').expect(200)).text, 'Sales'), { timeout: 5_000 }).toBe('2 conversations to handle')
    // Pending waits for the customer, not for the team.
    await setConversationStatus(app.ctx.domain, admin, { conversationId: c.id, status: 'pending' })
    await expect.poll(async () => badge((await client.get('/conversations').expect(200)).text, 'Sales'), { timeout: 5_000 }).toBe('1 conversation to handle')
  })
})
