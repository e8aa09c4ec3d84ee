import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inviteAgent } from '../../../src/domain/agents/manageAgents.ts'
import { loadSettings } from '../../../src/domain/settings/settings.ts'
import { ADMIN, csrfFrom, startTestApp, type TestApp } from '../../helpers/testApp.ts'

describe('the language of the help desk and of its agents', () => {
  let app: TestApp
  const prisma = () => app.ctx.db.prisma

  beforeAll(async () => {
    app = await startTestApp({ PUBLIC_URL: 'https://help.example.test' })
  })
  afterAll(async () => {
    await app?.close()
  })

  /** Invites an agent and accepts the invitation from a browser asking for `language` (none: no header). */
  async function invitedAndJoined(email: string, language?: string) {
    const admin = await prisma().agent.findUniqueOrThrow({ where: { email: ADMIN.email } })
    await inviteAgent(app.ctx.domain, admin, { name: 'Newcomer', email, role: 'agent' })
    const mail = await prisma().outboxEmail.findFirstOrThrow({ where: { kind: 'invitation', toAddress: email } })
    const link = /https:\/\/help\.example\.test(\/invite\/[\w-]+)/.exec(mail.text)![1]!
    const client = request.agent(app.url)
    const headers: Record<string, string> = language ? { 'Accept-Language': language } : {}
    const page = await client.get(link).set(headers)
    const res = await client
      .post(link)
      .set(headers)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), password: 'a long enough password' })
    expect(res.status).toBe(303)
    return { mail, page, agent: await prisma().agent.findUniqueOrThrow({ where: { email } }) }
  }

  it('is the language the help desk was set up in: the first administrator’s, the default, the first folder’s', async () => {
    const client = request.agent(app.url)
    const page = await client.get('/setup').set('Accept-Language', 'fr-FR,fr;q=0.9,en;q=0.5')
    expect(page.text).toContain('Configurez votre service d’assistance')
    const res = await client
      .post('/setup')
      .set('Accept-Language', 'fr-FR,fr;q=0.9,en;q=0.5')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), ...ADMIN })
    expect(res.status).toBe(303)
    expect(await prisma().agent.findUniqueOrThrow({ where: { email: ADMIN.email } })).toMatchObject({ locale: 'fr', timeZone: 'UTC' })
    expect((await loadSettings(prisma())).defaultLocale).toBe('fr')
    expect((await prisma().folder.findMany()).map((f) => f.locale)).toEqual(['fr'])
  })

  it('invites in the help desk’s language; the new agent then reads their browser’s, else the help desk’s', async () => {
    const english = await invitedAndJoined('english@example.test', 'en-GB,en;q=0.8')
    expect(english.mail.subject).toBe('Ada Admin vous invite dans Suivi')
    expect(english.mail.text).toContain('Le lien ne fonctionne qu’une fois, pendant 7 jours.')
    // The invitation page follows the browser.
    expect(english.page.text).toContain('Welcome, Newcomer')
    expect(english.agent).toMatchObject({ locale: 'en', timeZone: 'UTC' })

    const unsaid = await invitedAndJoined('unsaid@example.test')
    expect(unsaid.agent.locale).toBe('fr')
    const german = await invitedAndJoined('german@example.test', 'de-DE,de;q=0.9')
    expect(german.agent.locale).toBe('fr')
  })
})
