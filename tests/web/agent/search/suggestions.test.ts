import type request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../../src/domain/actor.ts'
import { buildAgent, buildConversation, buildFolder, buildTag, PASSWORD } from '../../../helpers/factories.ts'
import { ADMIN, setUpAndSignIn, signIn, startTestApp, type TestApp } from '../../../helpers/testApp.ts'

interface Suggestion {
  kind: string
  label: string
  detail: string
  value?: string
  href?: string
}

describe('suggestions while typing in the search box', () => {
  let app: TestApp
  let admin: request.Agent
  let scoped: request.Agent
  let french: request.Agent
  let refundNumber: number
  const prisma = () => app.ctx.db.prisma

  beforeAll(async () => {
    app = await startTestApp()
    admin = await setUpAndSignIn(app)
    const row = await prisma().agent.findUniqueOrThrow({ where: { email: ADMIN.email } })
    const adminActor: Actor = { id: row.id, name: row.name, email: row.email, role: row.role }
    const support = await buildFolder(prisma(), 'Support')
    const hidden = await buildFolder(prisma(), 'Hidden Billing')
    await buildTag(prisma(), 'vip')
    await buildTag(prisma(), 'vip gold')
    await buildTag(prisma(), 'urgent')
    refundNumber = (
      await buildConversation(app.ctx.domain, adminActor, {
        folderId: support.id,
        subject: 'Refund for a broken lamp',
        customerName: 'Alice Martin',
        customerEmail: 'alice@example.com',
      })
    ).number
    await buildConversation(app.ctx.domain, adminActor, {
      folderId: hidden.id,
      subject: 'Refurbished secret merger',
      customerName: 'Alicia Hidden',
      customerEmail: 'alicia@hidden.example',
    })
    const agent = await buildAgent(prisma(), { folderIds: [support.id], name: 'Sam Scoped' })
    scoped = (await signIn(app, agent.email, PASSWORD)).client
    const fr = await buildAgent(prisma(), { folderIds: [support.id], name: 'Françoise' })
    await prisma().agent.update({ where: { id: fr.id }, data: { locale: 'fr' } })
    french = (await signIn(app, fr.email, PASSWORD)).client
  })
  afterAll(async () => {
    await app?.close()
  })

  const suggest = async (client: request.Agent, q: string) => {
    const res = await client.get(`/conversations/suggestions?q=${encodeURIComponent(q)}`).set('Accept', 'application/json')
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toMatch(/json/)
    return res.body.suggestions as Suggestion[]
  }

  it('offers a prefix search, the conversations and the customers a word starts, within the agent’s folders', async () => {
    const all = await suggest(admin, 'ref')
    expect(all).toContainEqual(expect.objectContaining({ kind: 'prefix', label: 'ref*', value: 'ref* ' }))
    expect(all.filter((s) => s.kind === 'conversation').map((s) => s.label)).toEqual(
      expect.arrayContaining([`#${refundNumber} Refund for a broken lamp`, expect.stringContaining('Refurbished')]),
    )
    const mine = await suggest(scoped, 'ref')
    expect(mine.filter((s) => s.kind === 'conversation')).toEqual([
      expect.objectContaining({ label: `#${refundNumber} Refund for a broken lamp`, href: `/conversations/${refundNumber}` }),
    ])
    expect(JSON.stringify(await suggest(scoped, 'ali'))).not.toContain('Hidden')
    expect(await suggest(scoped, 'ali')).toContainEqual(expect.objectContaining({ kind: 'customer', label: 'Alice Martin', value: 'from:alice@example.com ' }))
  })

  it('completes filter keys, then their values, keeping what was typed before', async () => {
    expect(await suggest(admin, 'refund ta')).toContainEqual(expect.objectContaining({ kind: 'key', label: 'tag:', value: 'refund tag:' }))
    const tags = await suggest(admin, 'refund tag:vi')
    expect(tags.map((s) => s.value)).toEqual(['refund tag:vip ', 'refund tag:"vip gold" '])
    expect((await suggest(admin, 'status:p')).map((s) => s.label)).toEqual(['status:pending'])
    expect((await suggest(admin, 'assignee:')).map((s) => s.label)).toEqual(expect.arrayContaining(['assignee:me', 'assignee:none', 'assignee:"Sam Scoped"']))
    expect((await suggest(admin, 'from:alicia')).map((s) => s.value)).toEqual(['from:alicia@hidden.example '])
    expect(await suggest(scoped, 'from:alicia')).toEqual([])
    // Folders only among the agent's own.
    expect((await suggest(scoped, 'folder:')).map((s) => s.label)).toEqual(['folder:Support'])
  })

  it('speaks the agent’s language: French keys and statuses', async () => {
    const keys = await suggest(french, 'ét')
    expect(keys).toContainEqual(expect.objectContaining({ kind: 'key', label: 'étiquette:', detail: 'Une étiquette' }))
    expect((await suggest(french, 'statut:att')).map((s) => [s.label, s.detail])).toEqual([['statut:attente', 'En attente']])
    expect((await suggest(french, 'ref')).find((s) => s.kind === 'prefix')?.detail).toBe('Mots commençant par «\u202fref\u202f»')
  })

  it('suggests nothing for an empty box or a single letter, and asks to sign in first', async () => {
    expect(await suggest(admin, '')).toEqual([])
    expect((await suggest(admin, 'r')).filter((s) => s.kind !== 'key')).toEqual([])
    const res = await fetch(`${app.url}/conversations/suggestions?q=ref`, { headers: { Accept: 'application/json' } })
    expect(res.status).toBe(401)
  })
})
