import request from 'supertest'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Actor } from '../../../src/domain/actor.ts'
import { customerToken } from '../../../src/mail/customerLinks.ts'
import { buildAgent, buildConversation, buildFolder } from '../../helpers/factories.ts'
import { csrfFrom, startTestApp, type TestApp } from '../../helpers/testApp.ts'

describe('the rating page', () => {
  let app: TestApp
  let admin: Actor
  let folderId: number
  const prisma = () => app.ctx.db.prisma

  beforeAll(async () => {
    app = await startTestApp()
    admin = await buildAgent(prisma(), { role: 'admin' })
    const folder = await buildFolder(prisma())
    await prisma().folder.update({ where: { id: folder.id }, data: { ratingsEnabled: true } })
    folderId = folder.id
  })
  afterAll(async () => {
    await app?.close()
  })
  beforeEach(async () => {
    // Each test counts its own requests against the limits.
    await prisma().$executeRaw`DELETE FROM rate_limits`
  })

  const ratePath = (id: number) => `/rate/${customerToken(app.ctx.mail.secret, 'rate', id)}`
  const answered = () => buildConversation(app.ctx.domain, admin, { folderId, mode: 'send', text: 'Here is your refund.' })
  const ratingOf = (conversationId: number) => prisma().rating.findUnique({ where: { conversationId } })
  const givenEvents = (conversationId: number) => prisma().event.count({ where: { conversationId, type: 'rating.given' } })

  it('answers 404 to a link that is not a rating link of the conversation, 400 to an unknown value', async () => {
    const c = await answered()
    const token = customerToken(app.ctx.mail.secret, 'rate', c.id)
    const forged = `/rate/${c.id + 1}.${token.split('.')[1]}`
    for (const path of [
      '/rate/nonsense?value=great',
      `${forged}?value=bad`,
      `/rate/${customerToken(app.ctx.mail.secret, 'status', c.id)}?value=bad`,
      `/rate/${customerToken(app.ctx.mail.secret, 'solved', c.id)}?value=bad`,
    ]) {
      expect((await request(app.url).get(path)).status, path).toBe(404)
    }
    const client = request.agent(app.url)
    const page = await client.get(ratePath(c.id))
    expect(page.status).toBe(200)
    expect(
      (
        await client
          .post(forged)
          .type('form')
          .send({ _csrf: csrfFrom(page.text), value: 'bad' })
      ).status,
    ).toBe(404)
    expect((await request(app.url).get(`${ratePath(c.id)}?value=excellent`)).status).toBe(400)
    expect(await ratingOf(c.id)).toBeNull()
    expect(await ratingOf(c.id + 1)).toBeNull()
  })

  it('opening a link notes a provisional rating and asks the page to confirm it; the script’s POST confirms it', async () => {
    const c = await answered()
    const client = request.agent(app.url)
    const page = await client.get(`${ratePath(c.id)}?value=great`)
    expect(page.status).toBe(200)
    expect(page.text).toContain('How was our reply?')
    expect(page.text).toContain('You chose “Great”. Press Send to confirm it.')
    expect(page.text).toContain('data-rating-confirm="great"')
    expect(page.text).toContain('<script src="/public/js/rating.js" defer></script>')
    expect(page.text).toMatch(/value="great" required checked/)
    expect(await ratingOf(c.id)).toMatchObject({ value: 'great', confirmed: false })
    // The page's script: the value alone, JSON back.
    const confirmed = await client
      .post(ratePath(c.id))
      .set('Accept', 'application/json')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), value: 'great' })
    expect(confirmed.status).toBe(200)
    expect(confirmed.body).toEqual({ value: 'great', confirmed: true })
    expect(await ratingOf(c.id)).toMatchObject({ value: 'great', confirmed: true })
    // A scanner opening the e-mail's other links changes nothing, and records nothing.
    const before = await givenEvents(c.id)
    for (const value of ['okay', 'bad']) expect((await request(app.url).get(`${ratePath(c.id)}?value=${value}`)).status).toBe(200)
    expect(await ratingOf(c.id)).toMatchObject({ value: 'great', confirmed: true })
    expect(await givenEvents(c.id)).toBe(before)
    // Opened again, the confirmed rating is thanked for, with nothing left to confirm.
    const again = await client.get(`${ratePath(c.id)}?value=great`)
    expect(again.text).toContain('Thank you! Your rating: Great.')
    expect(again.text).not.toContain('data-rating-confirm')
  })

  it('the form (without a script) changes the rating and adds a comment, then shows them', async () => {
    const c = await answered()
    const client = request.agent(app.url)
    const page = await client.get(`${ratePath(c.id)}?value=okay`)
    const sent = await client
      .post(ratePath(c.id))
      .type('form')
      .send({ _csrf: csrfFrom(page.text), value: 'bad', comment: 'The refund is still missing.' })
    expect(sent.status).toBe(303)
    expect(sent.headers.location).toBe(ratePath(c.id))
    expect(await ratingOf(c.id)).toMatchObject({ value: 'bad', confirmed: true, comment: 'The refund is still missing.' })
    const shown = await client.get(ratePath(c.id))
    expect(shown.text).toContain('Thank you! Your rating: Not good.')
    expect(shown.text).toContain('>The refund is still missing.</textarea>')
    expect(shown.text).toMatch(/value="bad" required checked/)
    // A form without a choice is answered with the page and what was typed.
    const refused = await client
      .post(ratePath(c.id))
      .type('form')
      .send({ _csrf: csrfFrom(shown.text), comment: 'Kept text' })
    expect(refused.status).toBe(400)
    expect(refused.text).toContain('Choose how our reply was: great, okay or not good.')
    expect(refused.text).toContain('>Kept text</textarea>')
    expect(await ratingOf(c.id)).toMatchObject({ value: 'bad', comment: 'The refund is still missing.' })
  })

  it('speaks the conversation’s language', async () => {
    const c = await answered()
    await prisma().customer.update({ where: { id: c.customerId }, data: { locale: 'fr' } })
    const page = await request(app.url)
      .get(`${ratePath(c.id)}?value=bad`)
      .set('Accept-Language', 'en')
    expect(page.text).toContain('<html lang="fr">')
    expect(page.text).toContain('Comment avez-vous trouvé notre réponse\u202f?')
    expect(page.text).toContain('Vous avez choisi «\u00a0Pas bien\u00a0». Appuyez sur Envoyer pour le confirmer.')
  })

  it('limits how often one client may open rating links and post ratings', async () => {
    const c = await answered()
    const statuses: number[] = []
    for (let i = 0; i < 61; i++) statuses.push((await request(app.url).get(ratePath(c.id))).status)
    expect(statuses.slice(0, 60).every((s) => s === 200)).toBe(true)
    expect(statuses[60]).toBe(429)
    await prisma().$executeRaw`DELETE FROM rate_limits`
    const client = request.agent(app.url)
    const token = csrfFrom((await client.get(ratePath(c.id))).text)
    const posts: number[] = []
    for (let i = 0; i < 31; i++)
      posts.push((await client.post(ratePath(c.id)).set('Accept', 'application/json').type('form').send({ _csrf: token, value: 'okay' })).status)
    expect(posts.slice(0, 30).every((s) => s === 200)).toBe(true)
    expect(posts[30]).toBe(429)
  })
})
