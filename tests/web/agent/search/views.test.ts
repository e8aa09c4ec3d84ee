import type request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../../src/domain/actor.ts'
import { addTag } from '../../../../src/domain/conversations/commands/tagConversation.ts'
import { buildAgent, buildConversation, buildFolder, buildTag, PASSWORD } from '../../../helpers/factories.ts'
import { ADMIN, csrfFrom, setUpAndSignIn, signIn, startTestApp, type TestApp } from '../../../helpers/testApp.ts'

function rowNumbers(html: string): number[] {
  return [...html.matchAll(/class="row-link" href="\/conversations\/(\d+)"/g)].map((m) => Number(m[1]))
}
const decode = (s: string) => s.replace(/&amp;/g, '&').replace(/&#34;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>')
const flashText = (html: string) => decode(/<div class="flash flash-\w+"[^>]*>([^<]*)/.exec(html)?.[1] ?? '')

describe('search on the list page: marks, filters that match nothing, typed statuses, saved searches', () => {
  let app: TestApp
  let admin: request.Agent
  let adminActor: Actor
  let other: request.Agent
  let french: request.Agent
  let refundNumber: number
  const prisma = () => app.ctx.db.prisma

  beforeAll(async () => {
    app = await startTestApp()
    admin = await setUpAndSignIn(app)
    const row = await prisma().agent.findUniqueOrThrow({ where: { email: ADMIN.email } })
    adminActor = { id: row.id, name: row.name, email: row.email, role: row.role }
    const folder = await buildFolder(prisma(), 'Support')
    const vip = await buildTag(prisma(), 'vip')
    const refund = await buildConversation(app.ctx.domain, adminActor, {
      folderId: folder.id,
      subject: 'Refund <b>now</b>',
      text: 'Please refund my lamp.',
      customerName: 'Alice Martin',
      customerEmail: 'alice@example.com',
      status: 'pending',
    })
    await addTag(app.ctx.domain, adminActor, { conversationId: refund.id, tagId: vip.id })
    refundNumber = refund.number
    await buildConversation(app.ctx.domain, adminActor, { folderId: folder.id, subject: 'Parcel late', status: 'open' })
    const otherAgent = await buildAgent(prisma(), { folderIds: [folder.id], name: 'Otto Other' })
    other = (await signIn(app, otherAgent.email, PASSWORD)).client
    const fr = await buildAgent(prisma(), { folderIds: [folder.id], name: 'Françoise' })
    await prisma().agent.update({ where: { id: fr.id }, data: { locale: 'fr' } })
    french = (await signIn(app, fr.email, PASSWORD)).client
  })
  afterAll(async () => {
    await app?.close()
  })

  it('marks the matched words and prefixes in subject, snippet and customer, everything else escaped', async () => {
    const page = await admin.get(`/conversations?tab=all&q=${encodeURIComponent('ref* from:ali')}`)
    expect(rowNumbers(page.text)).toEqual([refundNumber])
    expect(page.text).toContain('<span class="row-subject"><mark>Refund</mark> &lt;b&gt;now&lt;/b&gt; <span')
    expect(page.text).toContain('<mark>Alice</mark> Martin')
    expect(page.text).not.toContain('<b>now</b>')
    // Without a search, nothing is marked.
    expect((await admin.get('/conversations?tab=all')).text).not.toContain('<mark>')
  })

  it('says which typed filter matches nothing, and shows no row', async () => {
    const page = await admin.get(`/conversations?tab=all&q=${encodeURIComponent('refund tag:nosuch')}`)
    expect(rowNumbers(page.text)).toEqual([])
    expect(page.text).toContain('class="search-problems" role="status"')
    expect(decode(page.text)).toContain('“tag:nosuch” matches nothing: no tag has that name.')
    const fr = await french.get(`/conversations?tab=all&q=${encodeURIComponent('étiquette:rien')}`)
    expect(decode(fr.text)).toContain('«\u202fétiquette:rien\u202f» ne donne rien\u00a0: aucune étiquette ne porte ce nom.')
  })

  it('opens the tab of a typed status: status:pending typed on New opens Pending; several open All', async () => {
    const res = await admin.get(`/conversations?tab=new&q=${encodeURIComponent('status:pending')}`)
    expect(res.status).toBe(303)
    expect(res.headers.location).toBe('/conversations?tab=pending&q=status%3Apending')
    const several = await admin.get(`/conversations?tab=closed&q=${encodeURIComponent('statut:ouvert status:pending')}`)
    expect(several.headers.location).toMatch(/^\/conversations\?tab=all&/)
    expect((await admin.get(`/conversations?tab=all&q=${encodeURIComponent('status:pending')}`)).status).toBe(200)
  })

  it('saves the current search under a name, lists it, opens it, and deletes it', async () => {
    const list = await admin.get(`/conversations?tab=pending&q=${encodeURIComponent('from:alice tag:vip')}`)
    expect(list.text).toContain('Save this search')
    const saved = await admin
      .post('/views')
      .type('form')
      .send({ _csrf: csrfFrom(list.text), name: 'Alice VIP', tab: 'pending', q: 'from:alice tag:vip', folder: '', assignee: '', tag: '' })
    expect(saved.status).toBe(303)
    expect(saved.headers.location).toBe('/conversations?tab=pending&q=from%3Aalice+tag%3Avip')
    const opened = await admin.get(saved.headers.location!)
    expect(flashText(opened.text)).toBe('Search saved as “Alice VIP”.')
    expect(rowNumbers(opened.text)).toEqual([refundNumber])
    expect(opened.text).toMatch(
      /<a href="\/conversations\?tab=pending&amp;q=from%3Aalice\+tag%3Avip" class="saved-view-link" aria-current="page">Alice VIP<\/a>/,
    )
    // Another agent sees nothing of it, and cannot delete it.
    const view = await prisma().savedView.findFirstOrThrow({ where: { name: 'Alice VIP' } })
    const theirs = await other.get('/conversations?tab=all')
    expect(theirs.text).not.toContain('Alice VIP')
    const refused = await other
      .post(`/views/${view.id}/delete`)
      .type('form')
      .send({ _csrf: csrfFrom(theirs.text) })
    expect(refused.status).toBe(404)
    expect(await prisma().savedView.count({ where: { id: view.id } })).toBe(1)
    const deleted = await admin
      .post(`/views/${view.id}/delete`)
      .type('form')
      .send({ _csrf: csrfFrom(opened.text), back: '/conversations?tab=all' })
    expect(deleted.status).toBe(303)
    expect(deleted.headers.location).toBe('/conversations?tab=all')
    expect(flashText((await admin.get(deleted.headers.location!)).text)).toBe('Saved search “Alice VIP” deleted.')
    expect(await prisma().savedView.count({ where: { id: view.id } })).toBe(0)
  })

  it('refuses a nameless search with the reason, and offers nothing to save without a search or filter', async () => {
    const list = await admin.get('/conversations?tab=all&q=refund')
    const res = await admin
      .post('/views')
      .type('form')
      .send({ _csrf: csrfFrom(list.text), name: '', tab: 'all', q: 'refund' })
    expect(res.status).toBe(303)
    expect(res.headers.location).toBe('/conversations?tab=all&q=refund')
    expect(flashText((await admin.get(res.headers.location!)).text)).toMatch(/^The search was not saved: /)
    expect((await admin.get('/conversations?tab=all')).text).not.toContain('Save this search')
    expect((await admin.get('/views')).headers.location).toBe('/conversations')
  })
})
