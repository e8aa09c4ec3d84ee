import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../src/domain/actor.ts'
import { translate } from '../../../src/i18n/translate.ts'
import { updateSettings } from '../../../src/domain/settings/updateSettings.ts'
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

/** Folder names in the order the folders page lists them. */
const listedFolders = (html: string) => [...html.matchAll(/<tr id="folder-\d+">\s*<td><strong>([^<]+)<\/strong>/g)].map((m) => m[1])

describe('settings: the folders pages', () => {
  let app: TestApp
  let admin: Client
  let adminActor: Actor
  const prisma = () => app.ctx.db.prisma
  const folderNamed = (name: string) => prisma().folder.findFirstOrThrow({ where: { name } })

  beforeAll(async () => {
    app = await startTestApp()
    admin = await setUpAndSignIn(app)
    const a = await prisma().agent.findUniqueOrThrow({ where: { email: ADMIN.email } })
    adminActor = { id: a.id, name: a.name, email: a.email, role: a.role }
  })
  afterAll(async () => {
    await app?.close()
  })

  async function post(path: string, fields: Record<string, string>, from = '/settings/folders') {
    const page = await admin.get(from)
    return admin
      .post(path)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), ...fields })
  }

  it('lists the folders in order with their conversation counts, and creates one', async () => {
    const res = await post('/settings/folders/new', { name: 'Billing' })
    expect(res.status).toBe(303)
    expect(res.headers.location).toBe('/settings/folders')
    const billing = await folderNamed('Billing')
    await buildConversation(app.ctx.domain, adminActor, { folderId: billing.id })
    const page = await admin.get('/settings/folders')
    expect(page.status).toBe(200)
    expect(page.text).toContain('Folder “Billing” created.')
    expect(listedFolders(page.text)).toEqual(['General', 'Billing'])
    expect(page.text).toMatch(/<strong>General<\/strong> <span class="muted small">\(default\)<\/span>/)
    expect(page.text).toMatch(/<strong>Billing<\/strong>\s*<br><span class="muted small">No inbound address<\/span><\/td>\s*<td>1<\/td>/)
    expect(page.text).toContain(`aria-label="Move Billing up"`)
    expect(page.text).toContain(`href="/settings/folders/${billing.id}"`)
    expectFormsSafe(page.text)
  })

  it('refuses an empty or duplicate name on the create form with a clear message', async () => {
    const dup = await post('/settings/folders/new', { name: 'billing' })
    expect(dup.status).toBe(409)
    expect(dup.text).toContain('A folder named “billing” already exists')
    expect(dup.text).toContain('aria-invalid="true"')
    const empty = await post('/settings/folders/new', { name: '  ' })
    expect(empty.status).toBe(400)
    expect(empty.text).toContain('Enter a name')
    expect(await prisma().folder.count({ where: { name: { equals: 'billing', mode: 'insensitive' } } })).toBe(1)
  })

  it('renames a folder and sets its inbound address (lower-cased) on its page', async () => {
    const billing = await folderNamed('Billing')
    const page = await admin.get(`/settings/folders/${billing.id}`)
    expect(page.status).toBe(200)
    expectFormsSafe(page.text)
    const res = await admin
      .post(`/settings/folders/${billing.id}`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: 'Invoices', inboundAddress: 'Invoices@Example.COM', signatureHtml: '' })
    expect(res.status).toBe(303)
    expect(await prisma().folder.findUniqueOrThrow({ where: { id: billing.id } })).toMatchObject({ name: 'Invoices', inboundAddress: 'invoices@example.com' })
    const after = await admin.get(`/settings/folders/${billing.id}`)
    expect(after.text).toContain('Folder “Invoices” saved.')
    expect(after.text).toContain('value="invoices@example.com"')
    const audit = await prisma().auditEvent.findFirstOrThrow({ where: { action: 'folder.updated', targetId: String(billing.id) } })
    expect(audit.data).toMatchObject({ name: { from: 'Billing', to: 'Invoices' }, inboundAddress: { from: null, to: 'invoices@example.com' } })
  })

  it('gives a clear message for a name or an address another folder has, and for a malformed address', async () => {
    await post('/settings/folders/new', { name: 'Sales' })
    const sales = await folderNamed('Sales')
    const form = { name: 'Sales', inboundAddress: '', signatureHtml: '' }
    const byName = await post(`/settings/folders/${sales.id}`, { ...form, name: 'INVOICES' })
    expect(byName.status).toBe(409)
    expect(byName.text).toContain('A folder named “INVOICES” already exists')
    expect(byName.text).toContain('value="INVOICES"')
    const byAddress = await post(`/settings/folders/${sales.id}`, { ...form, inboundAddress: 'invoices@example.com' })
    expect(byAddress.status).toBe(409)
    expect(byAddress.text).toContain('invoices@example.com is already the inbound address of the folder “Invoices”')
    const malformed = await post(`/settings/folders/${sales.id}`, { ...form, inboundAddress: 'sales at example' })
    expect(malformed.status).toBe(400)
    expect(malformed.text).toContain('Enter an e-mail address such as help@example.com, or leave it empty')
    expect(await prisma().folder.findUniqueOrThrow({ where: { id: sales.id } })).toMatchObject({ name: 'Sales', inboundAddress: null })
  })

  it('stores the signature sanitised: a script is gone', async () => {
    const sales = await folderNamed('Sales')
    const res = await post(`/settings/folders/${sales.id}`, {
      name: 'Sales',
      inboundAddress: '',
      signatureHtml: '<p>The <b>Sales</b> team</p><script>alert("x")</script><p onclick="steal()">Call us</p>',
    })
    expect(res.status).toBe(303)
    const stored = (await prisma().folder.findUniqueOrThrow({ where: { id: sales.id } })).signatureHtml
    expect(stored).toContain('<b>Sales</b> team')
    expect(stored).toContain('Call us')
    expect(stored).not.toMatch(/script|alert|onclick|steal/)
    const page = await admin.get(`/settings/folders/${sales.id}`)
    expect(page.text).not.toContain('<script>alert')
    expect(page.text).toContain('&lt;b&gt;Sales&lt;/b&gt; team')
  })

  it('sets the acknowledgement of new requests: on by default, its own text, or off', async () => {
    const returns = await prisma().folder.create({ data: { name: 'Returns', position: 99 } })
    const page = await admin.get(`/settings/folders/${returns.id}`)
    expect(page.text).toMatch(/<input type="checkbox" name="acknowledge" checked/)
    expect(page.text).toContain('placeholder="Thank you for writing to us.')
    const own = await post(`/settings/folders/${returns.id}`, {
      name: 'Returns',
      inboundAddress: '',
      signatureHtml: '',
      acknowledge: 'on',
      acknowledgementText: '  We answer returns within a day.  ',
    })
    expect(own.status).toBe(303)
    expect(await prisma().folder.findUniqueOrThrow({ where: { id: returns.id } })).toMatchObject({
      acknowledge: true,
      acknowledgementText: 'We answer returns within a day.',
    })
    const off = await post(`/settings/folders/${returns.id}`, {
      name: 'Returns',
      inboundAddress: '',
      signatureHtml: '',
      acknowledgementText: 'We answer returns within a day.',
    })
    expect(off.status).toBe(303)
    expect((await prisma().folder.findUniqueOrThrow({ where: { id: returns.id } })).acknowledge).toBe(false)
    const audit = await prisma().auditEvent.findFirstOrThrow({ where: { action: 'folder.updated', targetId: String(returns.id) }, orderBy: { id: 'desc' } })
    expect(audit.data).toMatchObject({ acknowledge: { from: true, to: false } })
    const tooLong = await post(`/settings/folders/${returns.id}`, {
      name: 'Returns',
      inboundAddress: '',
      signatureHtml: '',
      acknowledgementText: 'x'.repeat(5001),
    })
    expect(tooLong.status).toBe(400)
    expect(tooLong.text).toContain('Keep the acknowledgement under 5,000 characters')
    await prisma().folder.delete({ where: { id: returns.id } })
  })

  it("sets the language and time zone of the customers' e-mails, shown in the list by the language's name", async () => {
    const export_ = await prisma().folder.create({ data: { name: 'Export', position: 99 } })
    const page = await admin.get(`/settings/folders/${export_.id}`)
    expectFormsSafe(page.text)
    expect(page.text).toContain('<label for="folder-locale">Language</label>')
    expect(page.text).toContain('<label for="folder-time-zone">Time zone</label>')
    expect(page.text).toContain('Customers get e-mails in this language unless theirs is known, with times in this zone.')
    expect(page.text).toMatch(/<option value="en" lang="en" selected>English<\/option>/)
    expect(page.text).toMatch(/<option value="fr" lang="fr" >Français<\/option>/)
    expect(page.text).toMatch(/<option value="UTC" selected>UTC<\/option>/)
    const form = { name: 'Export', inboundAddress: '', signatureHtml: '' }
    const saved = await post(`/settings/folders/${export_.id}`, { ...form, locale: 'fr', timeZone: 'Europe/Paris' })
    expect(saved.status).toBe(303)
    expect(await prisma().folder.findUniqueOrThrow({ where: { id: export_.id } })).toMatchObject({ locale: 'fr', timeZone: 'Europe/Paris' })
    const audit = await prisma().auditEvent.findFirstOrThrow({ where: { action: 'folder.updated', targetId: String(export_.id) }, orderBy: { id: 'desc' } })
    expect(audit.data).toMatchObject({ locale: { from: 'en', to: 'fr' }, timeZone: { from: 'UTC', to: 'Europe/Paris' } })
    const after = await admin.get(`/settings/folders/${export_.id}`)
    expect(after.text).toMatch(/<option value="fr" lang="fr" selected>Français<\/option>/)
    expect(after.text).toMatch(/<option value="Europe\/Paris" selected>Europe\/Paris<\/option>/)
    const list = await admin.get('/settings/folders')
    expect(list.text).toContain('<th scope="col">Language</th>')
    expect(list.text).toMatch(new RegExp(`<tr id="folder-${export_.id}">[\\s\\S]*?<td lang="fr">Français</td>`))
    expect(list.text).toMatch(/<strong>General<\/strong>[\s\S]*?<td lang="en">English<\/td>/)

    const badLanguage = await post(`/settings/folders/${export_.id}`, { ...form, locale: 'xx', timeZone: 'Europe/Paris' })
    expect(badLanguage.status).toBe(400)
    expect(badLanguage.text).toContain(translate('en', 'validation.chooseLanguage'))
    expect(badLanguage.text).toMatch(/<select id="folder-locale" name="locale" aria-describedby="language-hint locale-error" aria-invalid="true">/)
    const badZone = await post(`/settings/folders/${export_.id}`, { ...form, locale: 'en', timeZone: 'Mars/Olympus_Mons' })
    expect(badZone.status).toBe(400)
    expect(badZone.text).toContain(translate('en', 'validation.chooseTimeZone'))
    // What was sent is shown again: the language chosen stays selected.
    expect(badZone.text).toMatch(/<option value="en" lang="en" selected>English<\/option>/)
    expect(await prisma().folder.findUniqueOrThrow({ where: { id: export_.id } })).toMatchObject({ locale: 'fr', timeZone: 'Europe/Paris' })
    await prisma().folder.delete({ where: { id: export_.id } })
  })

  it("starts a new folder with the instance's default language and time zone", async () => {
    await updateSettings(app.ctx.domain, adminActor, { defaultLocale: 'fr', defaultTimeZone: 'Europe/Brussels' })
    try {
      expect((await post('/settings/folders/new', { name: 'Wallonie' })).status).toBe(303)
      const folder = await folderNamed('Wallonie')
      expect(folder).toMatchObject({ locale: 'fr', timeZone: 'Europe/Brussels' })
      const audit = await prisma().auditEvent.findFirstOrThrow({ where: { action: 'folder.created', targetId: String(folder.id) } })
      expect(audit.data).toEqual({ name: 'Wallonie', locale: 'fr', timeZone: 'Europe/Brussels' })
      expect((await admin.get('/settings/folders')).text).toMatch(/<strong>Wallonie<\/strong>[\s\S]*?<td lang="fr">Français<\/td>/)
      await prisma().folder.delete({ where: { id: folder.id } })
    } finally {
      await updateSettings(app.ctx.domain, adminActor, { defaultLocale: 'en', defaultTimeZone: 'UTC' })
    }
  })

  it('reorders folders with the up and down buttons', async () => {
    expect(listedFolders((await admin.get('/settings/folders')).text)).toEqual(['General', 'Invoices', 'Sales'])
    const sales = await folderNamed('Sales')
    expect((await post(`/settings/folders/${sales.id}/move`, { direction: 'up' })).status).toBe(303)
    let page = await admin.get('/settings/folders')
    expect(page.text).toContain('“Sales” moved up.')
    expect(listedFolders(page.text)).toEqual(['General', 'Sales', 'Invoices'])
    await post(`/settings/folders/${sales.id}/move`, { direction: 'up' })
    page = await admin.get('/settings/folders')
    expect(listedFolders(page.text)).toEqual(['Sales', 'General', 'Invoices'])
    expect(page.text).toMatch(/<strong>Sales<\/strong> <span class="muted small">\(default\)<\/span>/)
    await post(`/settings/folders/${sales.id}/move`, { direction: 'down' })
    expect(listedFolders((await admin.get('/settings/folders')).text)).toEqual(['General', 'Sales', 'Invoices'])
    expect(await prisma().auditEvent.count({ where: { action: 'folder.moved', targetId: String(sales.id) } })).toBe(3)
  })

  it('refuses to delete a folder that holds conversations, and the default folder', async () => {
    const invoices = await folderNamed('Invoices')
    const page = await admin.get(`/settings/folders/${invoices.id}`)
    expect(page.text).toContain('Move its conversations to')
    expect(page.text).toContain('Move the conversations and delete “Invoices”')
    const refused = await admin
      .post(`/settings/folders/${invoices.id}/delete`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), moveTo: '' })
    expect(refused.status).toBe(409)
    expect(refused.text).toContain('“Invoices” still holds 1 conversation. Choose a folder to move it to, or move it first.')
    expect(await prisma().folder.count({ where: { id: invoices.id } })).toBe(1)

    const general = await folderNamed('General')
    const generalPage = await admin.get(`/settings/folders/${general.id}`)
    expect(generalPage.text).toContain('This is the default folder')
    expect(generalPage.text).not.toContain(`action="/settings/folders/${general.id}/delete"`)
    const forced = await admin
      .post(`/settings/folders/${general.id}/delete`)
      .type('form')
      .send({ _csrf: csrfFrom(generalPage.text), moveTo: String(invoices.id) })
    expect(forced.status).toBe(409)
    expect(forced.text).toContain('is the default folder')
    expect(await prisma().folder.count({ where: { id: general.id } })).toBe(1)
  })

  it('moves the conversations to the chosen folder, records each move in their history, then deletes the folder', async () => {
    const invoices = await folderNamed('Invoices')
    const sales = await folderNamed('Sales')
    const second = await buildConversation(app.ctx.domain, adminActor, { folderId: invoices.id, subject: 'Second invoice' })
    const ids = await prisma().conversation.findMany({ where: { folderId: invoices.id }, select: { id: true, number: true } })
    expect(ids).toHaveLength(2)
    const res = await post(`/settings/folders/${invoices.id}/delete`, { moveTo: String(sales.id) }, `/settings/folders/${invoices.id}`)
    expect(res.status).toBe(303)
    expect(res.headers.location).toBe('/settings/folders')
    const list = await admin.get('/settings/folders')
    expect(list.text).toContain('Folder “Invoices” deleted; 2 conversations were moved to “Sales”.')
    expect(listedFolders(list.text)).toEqual(['General', 'Sales'])
    for (const c of ids) {
      expect((await prisma().conversation.findUniqueOrThrow({ where: { id: c.id } })).folderId).toBe(sales.id)
      expect(await prisma().historyEvent.findMany({ where: { conversationId: c.id, type: 'conversation.moved' } })).toEqual([
        expect.objectContaining({ actorKind: 'agent', actorAgentId: adminActor.id, data: expect.objectContaining({ from: invoices.id, to: sales.id }) }),
      ])
    }
    const conversationPage = await admin.get(`/conversations/${second.number}`)
    expect(conversationPage.text).toContain('to Sales')
  })

  it('answers 404 for a folder that does not exist', async () => {
    expect((await admin.get('/settings/folders/999999')).status).toBe(404)
    expect((await admin.get('/settings/folders/abc')).status).toBe(404)
    expect((await post('/settings/folders/999999/delete', {})).status).toBe(404)
  })
})
