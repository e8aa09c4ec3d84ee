import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildAgent, buildConversation, buildFolder, PASSWORD } from '../../../helpers/factories.ts'
import { csrfFrom, setUpAndSignIn, signIn, startTestApp, type TestApp } from '../../../helpers/testApp.ts'

/** The texts public/js reads, as the page hands them over. */
function clientMessages(html: string): Record<string, string> {
  const m = /<script type="application\/json" id="client-messages">([\s\S]*?)<\/script>/.exec(html)
  if (!m) throw new Error('no client messages on the page')
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
    // The scripts' texts come with the page, in French.
    const messages = clientMessages(page.text)
    expect(messages['client.list.selectAll']).toBe('Tout sélectionner sur cette page')
    expect(Object.keys(messages).every((key) => key.startsWith('client.'))).toBe(true)
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
