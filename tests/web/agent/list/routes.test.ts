import type request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../../src/domain/actor.ts'
import { buildAgent, buildConversation, buildFolder, PASSWORD } from '../../../helpers/factories.ts'
import { ADMIN, setUpAndSignIn, signIn, startTestApp, type TestApp } from '../../../helpers/testApp.ts'

/** The numbers of the conversations a list page (or the rows partial) shows, in order. */
function rowNumbers(html: string): number[] {
  return [...html.matchAll(/class="row-link" href="\/conversations\/(\d+)"/g)].map((m) => Number(m[1]))
}
const decode = (href: string) => href.replace(/&amp;/g, '&')
const link = (html: string, rel: 'prev' | 'next') => {
  const m = new RegExp(`<a rel="${rel}" [^>]*href="([^"]+)"`).exec(html)
  return m ? decode(m[1]!) : null
}
const position = (html: string) => /<p class="pager-position">([^<]*)<\/p>/.exec(html)?.[1] ?? null

describe('the list’s pages, live rows and next/previous', () => {
  let app: TestApp
  let admin: request.Agent
  let adminActor: Actor
  let folderId: number
  let hiddenFolderId: number
  /** The folder's conversation numbers, newest first. */
  let numbers: number[]
  let hiddenNumber: number
  let agent: request.Agent
  const prisma = () => app.ctx.db.prisma

  beforeAll(async () => {
    app = await startTestApp()
    admin = await setUpAndSignIn(app)
    const row = await prisma().agent.findUniqueOrThrow({ where: { email: ADMIN.email } })
    adminActor = { id: row.id, name: row.name, email: row.email, role: row.role }
    folderId = (await buildFolder(prisma(), 'Paged')).id
    hiddenFolderId = (await buildFolder(prisma(), 'Hidden')).id
    const customer = await prisma().customer.create({ data: { email: 'paged@example.com', name: 'Paula Paged' } })
    const base = Date.parse('2027-02-01T12:00:00Z')
    await prisma().conversation.createMany({
      data: Array.from({ length: 60 }, (_, i) => ({
        subject: `Paged ${i}`,
        channel: 'email' as const,
        status: 'open' as const,
        folderId,
        customerId: customer.id,
        lastActivityAt: new Date(base - i * 60_000),
      })),
    })
    numbers = (await prisma().conversation.findMany({ where: { folderId }, orderBy: [{ lastActivityAt: 'desc' }, { id: 'desc' }] })).map((c) => c.number)
    hiddenNumber = (await buildConversation(app.ctx.domain, adminActor, { folderId: hiddenFolderId, subject: 'Secret merger' })).number
    const inFolder = await buildAgent(prisma(), { folderIds: [folderId], name: 'Fran Folder' })
    agent = (await signIn(app, inFolder.email, PASSWORD)).client
  })
  afterAll(async () => {
    await app?.close()
  })

  it('pages down with "Older" and back with "Newer", saying where each page stands', async () => {
    const first = await admin.get(`/conversations?tab=all&folder=${folderId}`)
    expect(rowNumbers(first.text)).toEqual(numbers.slice(0, 50))
    expect(position(first.text)).toBe('1–50 of 60')
    expect(link(first.text, 'prev')).toBeNull()
    const second = await admin.get(link(first.text, 'next')!)
    expect(rowNumbers(second.text)).toEqual(numbers.slice(50))
    expect(position(second.text)).toBe('51–60 of 60')
    expect(link(second.text, 'next')).toBeNull()
    const back = await admin.get(link(second.text, 'prev')!)
    expect(link(second.text, 'prev')).toContain('before=')
    expect(rowNumbers(back.text)).toEqual(numbers.slice(0, 50))
    expect(position(back.text)).toBe('1–50 of 60')
  })

  it('says the position in French to a French reader', async () => {
    await prisma().agent.update({ where: { email: ADMIN.email }, data: { locale: 'fr' } })
    try {
      const first = await admin.get(`/conversations?tab=all&folder=${folderId}`)
      const second = await admin.get(link(first.text, 'next')!)
      expect(position(second.text)).toBe('51–60 sur 60')
    } finally {
      await prisma().agent.update({ where: { email: ADMIN.email }, data: { locale: 'en' } })
    }
  })

  it('gives the same page’s rows, pager and counts to the live list, within the agent’s folders', async () => {
    const res = await admin.get(`/conversations/rows?tab=all&folder=${folderId}`).set('Accept', 'application/json')
    expect(res.status).toBe(200)
    expect(res.headers['cache-control']).toBe('no-store')
    expect(rowNumbers(res.body.rows)).toEqual(numbers.slice(0, 50))
    expect(res.body.rows).toMatch(/^<ul class="conversation-list"/)
    expect(res.body.count).toBe(50)
    expect(position(res.body.pager)).toBe('1–50 of 60')
    expect(res.body.counts.all).toEqual({ text: '60', label: '60 conversations' })

    const hidden = await agent.get(`/conversations/rows?tab=all&folder=${hiddenFolderId}`)
    expect(hidden.status).toBe(200)
    expect(hidden.body.count).toBe(0)
    expect(hidden.body.rows).not.toContain('Secret merger')
    const everything = await agent.get('/conversations/rows?tab=all')
    expect(rowNumbers(everything.body.rows)).not.toContain(hiddenNumber)
  })

  it('goes to the next and previous conversation of the list last shown, and back to it at either end', async () => {
    await agent.get(`/conversations?tab=open&folder=${folderId}`)
    const next = await agent.get(`/conversations/${numbers[4]}/next`)
    expect(next.status).toBe(303)
    expect(next.headers.location).toBe(`/conversations/${numbers[5]}`)
    const previous = await agent.get(`/conversations/${numbers[4]}/previous`)
    expect(previous.headers.location).toBe(`/conversations/${numbers[3]}`)

    const pastTheEnd = await agent.get(`/conversations/${numbers[59]}/next`)
    expect(pastTheEnd.status).toBe(303)
    expect(pastTheEnd.headers.location).toBe(`/conversations?tab=open&folder=${folderId}`)
    expect((await agent.get(pastTheEnd.headers.location!)).text).toContain('That was the last conversation of the list.')
    const beforeTheStart = await agent.get(`/conversations/${numbers[0]}/previous`)
    expect(beforeTheStart.headers.location).toBe(`/conversations?tab=open&folder=${folderId}`)
    expect((await agent.get(beforeTheStart.headers.location!)).text).toContain('That was the first conversation of the list.')
  })

  it('follows the list of the page the agent looked at last, page included', async () => {
    const first = await agent.get(`/conversations?tab=open&folder=${folderId}`)
    await agent.get(link(first.text, 'next')!)
    // At the end of the list, back to the page the agent was on.
    const end = await agent.get(`/conversations/${numbers[59]}/next`)
    expect(end.headers.location).toContain('after=')
  })

  it('goes on from where the conversation stood when its page was shown, not where a reply moved it', async () => {
    await agent.get(`/conversations?tab=open&folder=${folderId}`)
    const moving = await prisma().conversation.findFirstOrThrow({ where: { number: numbers[10]! } })
    const at = `${moving.lastActivityAt.getTime()}_${moving.id}`
    await prisma().conversation.update({ where: { id: moving.id }, data: { lastActivityAt: new Date('2027-02-02T00:00:00Z') } })
    try {
      expect((await agent.get(`/conversations/${numbers[10]}/next?at=${at}`)).headers.location).toBe(`/conversations/${numbers[11]}`)
      // Without it, from where it is now: the top of the list.
      expect((await agent.get(`/conversations/${numbers[10]}/next`)).headers.location).toBe(`/conversations/${numbers[0]}`)
      // A position that is not the conversation's own is not taken.
      expect((await agent.get(`/conversations/${numbers[10]}/next?at=${moving.lastActivityAt.getTime()}_1`)).headers.location).toBe(
        `/conversations/${numbers[0]}`,
      )
    } finally {
      await prisma().conversation.update({ where: { id: moving.id }, data: { lastActivityAt: moving.lastActivityAt } })
    }
  })

  it('answers 404 for a conversation outside the agent’s folders, and never leads into one', async () => {
    expect((await agent.get(`/conversations/${hiddenNumber}/next`)).status).toBe(404)
    expect((await agent.get(`/conversations/${hiddenNumber}/previous`)).status).toBe(404)
    await agent.get('/conversations?tab=all')
    const hidden = await prisma().conversation.findFirstOrThrow({ where: { number: hiddenNumber } })
    // The hidden conversation is the newest of all: previous from the agent's newest is the list, not it.
    await prisma().conversation.update({ where: { id: hidden.id }, data: { lastActivityAt: new Date('2030-01-01T00:00:00Z') } })
    const top = await prisma().conversation.findFirstOrThrow({ where: { folderId }, orderBy: [{ lastActivityAt: 'desc' }, { id: 'desc' }] })
    const res = await agent.get(`/conversations/${top.number}/previous`)
    expect(res.headers.location).toBe('/conversations?tab=all')
  })
})
