import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildAgent, buildConversation, buildFolder, PASSWORD } from '../../../helpers/factories.ts'
import { csrfFrom, setUpAndSignIn, signIn, startTestApp, type TestApp } from '../../../helpers/testApp.ts'

/** Where the page loads the texts public/js reads from. */
function clientTextsSrc(html: string): string {
  const m = /<script src="(\/public\/texts\/client\.[a-z]{2}\.[0-9a-f]{12}\.js)" defer><\/script>/.exec(html)
  if (!m) throw new Error('no client texts on the page')
  return m[1]!
}

/** The texts of that file (`window.SuiviTexts = {…}`). */
function textsOf(script: string): Record<string, string> {
  const m = /^window\.SuiviTexts = (\{[\s\S]*\})\n$/.exec(script)
  if (!m) throw new Error(`not a texts file: ${script.slice(0, 60)}`)
  return JSON.parse(m[1]!) as Record<string, string>
}

describe('the agent pages in the agent’s own language and time zone', () => {
  let app: TestApp
  let client: Awaited<ReturnType<typeof signIn>>['client']
  let number: number

  beforeAll(async () => {
    app = await startTestApp()
    await setUpAndSignIn(app)
    const prisma = app.ctx.db.prisma
    const folder = await buildFolder(prisma, 'Bureau français')
    const agent = await buildAgent(prisma, { folderIds: [folder.id], name: 'Françoise Agent' })
    await prisma.agent.update({ where: { id: agent.id }, data: { locale: 'fr', timeZone: 'Europe/Paris' } })
    const conversation = await buildConversation(app.ctx.domain, agent, { folderId: folder.id, subject: 'Colis perdu' })
    await app.ctx.db.prisma.conversation.update({ where: { id: conversation.id }, data: { assigneeId: agent.id } })
    number = conversation.number
    const email = (await prisma.agent.findUniqueOrThrow({ where: { id: agent.id } })).email
    ;({ client } = await signIn(app, email, PASSWORD))
  })
  afterAll(async () => {
    await app?.close()
  })

  it('lists conversations in French, with French counts, statuses and times', async () => {
    const page = await client.get('/conversations?tab=all')
    expect(page.status).toBe(200)
    expect(page.text).toContain('<html lang="fr">')
    expect(page.text).toContain('<h1>Toutes les conversations</h1>')
    expect(page.text).toMatch(/>Toutes <span class="count" aria-label="1 conversation">1<\/span>/)
    expect(page.text).toContain('<span class="status status-new">Nouveau</span>')
    expect(page.text).toContain('Se déconnecter')
    // A relative time, and the full date and time on hover, in French and in the agent's zone.
    expect(page.text).toMatch(/<time class="row-age muted" datetime="[^"]+" title="\d{1,2} [a-zéû]+\.? \d{4}, \d{2}:\d{2}">[^<]+<\/time>/)
    // The scripts' texts come from a file of the page's language, kept by the browser for good.
    const src = clientTextsSrc(page.text)
    expect(src).toMatch(/\/client\.fr\./)
    const file = await client.get(src)
    expect(file.status).toBe(200)
    expect(file.headers['content-type']).toMatch(/^text\/javascript/)
    expect(file.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    const messages = textsOf(file.text)
    expect(messages['client.list.selectAll']).toBe('Tout sélectionner sur cette page')
    expect(Object.keys(messages).every((key) => key.startsWith('client.'))).toBe(true)
    // A page of an earlier version (another hash) gets today's texts, not to be kept; no other file exists.
    const stale = await client.get('/public/texts/client.fr.000000000000.js')
    expect(stale.headers['cache-control']).toBe('no-cache')
    expect(textsOf(stale.text)).toEqual(messages)
    expect((await client.get('/public/texts/client.xx.000000000000.js')).status).toBe(404)
    expect((await client.get('/public/texts/other.js')).status).toBe(404)
  })

  it('shows a conversation in French: sidebar, thread and history', async () => {
    const page = await client.get(`/conversations/${number}`)
    expect(page.status).toBe(200)
    expect(page.text).toContain('<h2 id="assignee-title">Responsable</h2>')
    expect(page.text).toContain('<option value="pending" >En attente</option>')
    expect(page.text).toContain('Client, saisi par Françoise Agent')
    expect(page.text).toMatch(/<strong>Françoise Agent<\/strong> a enregistré la demande du client <time/)
    const thread = await client.get(`/conversations/${number}/thread`)
    expect(thread.text).toContain('aria-label="Messages"')
    expect(thread.text).toContain('Client, saisi par Françoise Agent')
  })

  it('sets the customer’s language beside the conversation, recorded in its history', async () => {
    const prisma = app.ctx.db.prisma
    const customerOf = async () =>
      (await prisma.conversation.findUniqueOrThrow({ where: { number }, select: { customer: { select: { locale: true } } } })).customer.locale
    let page = await client.get(`/conversations/${number}`)
    // The folder's language is the default choice, named.
    expect(page.text).toMatch(/<option value="" selected>Celle du dossier \(English\)<\/option>/)
    let res = await client
      .post(`/conversations/${number}/language`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), locale: 'fr' })
    expect(res.status).toBe(303)
    expect(await customerOf()).toBe('fr')
    page = await client.get(`/conversations/${number}`)
    expect(page.text).toMatch(/<option value="fr" lang="fr" selected>Français<\/option>/)
    expect(page.text).toContain('a choisi la langue du client\u00a0: Français')
    res = await client
      .post(`/conversations/${number}/language`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), locale: 'tlh' })
    expect(res.status).toBe(400)
    expect(await customerOf()).toBe('fr')
    res = await client
      .post(`/conversations/${number}/language`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), locale: '' })
    expect(await customerOf()).toBeNull()
    expect((await client.get(`/conversations/${number}`)).text).toContain('a rétabli la langue du dossier pour le client')
  })

  it('says what was done in French', async () => {
    const page = await client.get('/profile')
    expect(page.text).toContain('<h1>Votre profil</h1>')
    expect(page.text).toMatch(/<option value="fr" lang="fr" selected>Français<\/option>/)
    const res = await client
      .post('/profile')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), notifyOnNewInFolder: 'on' })
    expect(res.status).toBe(303)
    expect((await client.get('/profile')).text).toContain('Enregistré.')
  })

  it('switches to the language and zone the agent picks, and refuses ones it does not offer', async () => {
    let page = await client.get('/profile')
    const refused = await client
      .post('/profile')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), locale: 'tlh', timeZone: 'Mars/Olympus' })
    expect(refused.status, refused.text.slice(0, 3000)).toBe(400)
    expect(refused.text).toContain('Choisissez l’une des langues proposées.')
    expect(refused.text).toContain('Choisissez un fuseau horaire dans la liste.')
    page = await client.get('/profile')
    await client
      .post('/profile')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), locale: 'en', timeZone: 'America/New_York' })
    page = await client.get('/profile')
    expect(page.text).toContain('<html lang="en">')
    expect(page.text).toContain('Saved.')
    expect(page.text).toMatch(/<option selected>America\/New_York<\/option>/)
    page = await client.get('/profile')
    await client
      .post('/profile')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), locale: 'fr', timeZone: 'Europe/Paris' })
  })
})
