import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../src/domain/actor.ts'
import { addTag } from '../../../src/domain/conversations/commands/tagConversation.ts'
import { buildConversation } from '../../helpers/factories.ts'
import { ADMIN, csrfFrom, setUpAndSignIn, startTestApp, type TestApp } from '../../helpers/testApp.ts'

type Client = Awaited<ReturnType<typeof setUpAndSignIn>>

/** Every POST form carries the CSRF token; every visible control has a label. */
function expectFormsSafe(html: string) {
  for (const [form] of html.matchAll(/<form[\s\S]*?<\/form>/g)) {
    if (/method="post"/.test(form)) expect(form).toMatch(/name="_csrf" value="[^"]+"/)
    for (const m of form.matchAll(/<(input|select|textarea)\b([^>]*)>/g)) {
      const attrs = m[2]!
      if (/type="hidden"/.test(attrs)) continue
      const id = /\bid="([^"]+)"/.exec(attrs)?.[1]
      if (id) expect(html, `a label for #${id}`).toContain(`for="${id}"`)
      else {
        const before = form.slice(0, m.index)
        expect(before.lastIndexOf('<label'), `a label around ${m[0]}`).toBeGreaterThan(before.lastIndexOf('</label>'))
      }
    }
  }
}

describe('settings: the tags page', () => {
  let app: TestApp
  let admin: Client
  let adminActor: Actor
  const prisma = () => app.ctx.db.prisma
  const tagNamed = (name: string) => prisma().tag.findFirstOrThrow({ where: { name } })

  beforeAll(async () => {
    app = await startTestApp()
    admin = await setUpAndSignIn(app)
    const a = await prisma().agent.findUniqueOrThrow({ where: { email: ADMIN.email } })
    adminActor = { id: a.id, name: a.name, email: a.email, role: a.role }
  })
  afterAll(async () => {
    await app?.close()
  })

  async function post(path: string, fields: Record<string, string>) {
    const page = await admin.get('/settings/tags')
    return admin
      .post(path)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), ...fields })
  }

  it('creates tags with a colour from the palette and lists them with inline forms', async () => {
    expect((await post('/settings/tags/new', { name: 'refund', colour: 'red' })).status).toBe(303)
    expect((await post('/settings/tags/new', { name: 'vip', colour: 'purple' })).status).toBe(303)
    const page = await admin.get('/settings/tags')
    expect(page.status).toBe(200)
    expect(page.text).toContain('Tag “vip” created.')
    expect(page.text).toContain('class="tag tag-red">refund<')
    expect(page.text).toContain('class="tag tag-purple">vip<')
    const refund = await tagNamed('refund')
    expect(page.text).toContain(`action="/settings/tags/${refund.id}"`)
    expect(page.text).toContain(`action="/settings/tags/${refund.id}/delete"`)
    expect(page.text).toContain('aria-label="Delete the tag refund"')
    expectFormsSafe(page.text)
  })

  it('refuses a colour outside the palette and a duplicate name', async () => {
    const odd = await post('/settings/tags/new', { name: 'odd', colour: '#ff0000;background:url(x)' })
    expect(odd.status).toBe(400)
    expect(odd.text).toContain('Choose a colour from the list')
    expect(await prisma().tag.count({ where: { name: 'odd' } })).toBe(0)
    const dup = await post('/settings/tags/new', { name: 'REFUND', colour: 'blue' })
    expect(dup.status).toBe(409)
    expect(dup.text).toContain('A tag named “REFUND” already exists')
  })

  it('renames a tag and changes its colour, audited', async () => {
    const vip = await tagNamed('vip')
    const res = await post(`/settings/tags/${vip.id}`, { name: 'VIP customer', colour: 'green' })
    expect(res.status).toBe(303)
    const page = await admin.get('/settings/tags')
    expect(page.text).toContain('Tag “vip” renamed to “VIP customer”.')
    expect(page.text).toContain('class="tag tag-green">VIP customer<')
    const audit = await prisma().auditEvent.findFirstOrThrow({ where: { action: 'tag.updated', targetId: String(vip.id) } })
    expect(audit).toMatchObject({ actorAgentId: adminActor.id, data: { name: { from: 'vip', to: 'VIP customer' }, colour: { from: 'purple', to: 'green' } } })
  })

  it('shows the error on the row that was edited, keeping what was typed', async () => {
    const vip = await tagNamed('VIP customer')
    const badColour = await post(`/settings/tags/${vip.id}`, { name: 'VIP', colour: 'chartreuse' })
    expect(badColour.status).toBe(400)
    expect(badColour.text).toContain(`id="tag-${vip.id}-colour-error"`)
    expect(badColour.text).toContain('Choose a colour from the list')
    expect(badColour.text).toContain(`id="tag-${vip.id}-name" name="name" required maxlength="50" value="VIP"`)
    const dup = await post(`/settings/tags/${vip.id}`, { name: 'Refund', colour: 'green' })
    expect(dup.status).toBe(409)
    expect(dup.text).toContain('A tag named “Refund” already exists')
    expect(await prisma().tag.findUniqueOrThrow({ where: { id: vip.id } })).toMatchObject({ name: 'VIP customer', colour: 'green' })
  })

  it('deletes a tag: removed from its conversations, each recording an untagged history entry by the admin', async () => {
    const refund = await tagNamed('refund')
    const folderId = (await prisma().folder.findFirstOrThrow()).id
    const conversations = [await buildConversation(app.ctx.domain, adminActor, { folderId }), await buildConversation(app.ctx.domain, adminActor, { folderId })]
    for (const c of conversations) await addTag(app.ctx.domain, adminActor, { conversationId: c.id, tagId: refund.id })
    expect((await admin.get('/settings/tags')).text).toMatch(/tag-red">refund<\/span>[\s\S]*?<p class="hint">On 2 conversations<\/p>/)

    const res = await post(`/settings/tags/${refund.id}/delete`, {})
    expect(res.status).toBe(303)
    const page = await admin.get('/settings/tags')
    expect(page.text).toContain('Tag “refund” deleted and removed from 2 conversations.')
    expect(page.text).not.toContain('>refund<')
    expect(await prisma().tag.count({ where: { id: refund.id } })).toBe(0)
    for (const c of conversations) {
      expect(await prisma().conversationTag.count({ where: { conversationId: c.id } })).toBe(0)
      expect(await prisma().historyEvent.findMany({ where: { conversationId: c.id, type: 'conversation.untagged' } })).toEqual([
        expect.objectContaining({ actorKind: 'agent', actorAgentId: adminActor.id, data: expect.objectContaining({ tag: 'refund' }) }),
      ])
      const conversationPage = await admin.get(`/conversations/${c.number}`)
      expect(conversationPage.text).toContain('removed the tag “refund”')
    }
    expect(await prisma().auditEvent.findFirstOrThrow({ where: { action: 'tag.deleted', targetId: String(refund.id) } })).toMatchObject({
      data: { name: 'refund', conversations: 2 },
    })
  })

  it('answers 404 for a tag that does not exist', async () => {
    expect((await post('/settings/tags/999999/delete', {})).status).toBe(404)
    expect((await post('/settings/tags/999999', { name: 'x', colour: 'red' })).status).toBe(404)
  })
})
