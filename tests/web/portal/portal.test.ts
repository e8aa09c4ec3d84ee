import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../src/domain/actor.ts'
import { addInternalComment } from '../../../src/domain/conversations/commands/addInternalComment.ts'
import { replyAsAgent } from '../../../src/domain/conversations/commands/replyAsAgent.ts'
import { answerUrl, customerToken } from '../../../src/mail/customerLinks.ts'
import { buildAgent, buildConversation, buildFolder } from '../../helpers/factories.ts'
import { csrfFrom, startTestApp, type TestApp } from '../../helpers/testApp.ts'

describe('pages for customers', () => {
  let app: TestApp
  let admin: Actor
  let folderId: number
  beforeAll(async () => {
    app = await startTestApp()
    admin = await buildAgent(app.ctx.db.prisma, { role: 'admin' })
    folderId = (await buildFolder(app.ctx.db.prisma)).id
  })
  afterAll(async () => {
    await app?.close()
  })

  const statusPath = (id: number) => `/s/${customerToken(app.ctx.mail.secret, 'status', id)}`

  describe('the contact page', () => {
    it('opens a new conversation and e-mails a confirmation with the status page link', async () => {
      const client = request.agent(app.url)
      const page = await client.get('/contact')
      const res = await client
        .post('/contact')
        .field('_csrf', csrfFrom(page.text))
        .field('name', 'Grace Hopper')
        .field('email', 'Grace@Example.org')
        .field('subject', 'Compiler question')
        .field('message', 'How do I report a bug?')
        .field('website', '')
        .attach('files', Buffer.from('moth found in relay 70'), 'log.txt')
      expect(res.status).toBe(200)
      expect(res.text).toContain('Thank you!')
      const conversation = await app.ctx.db.prisma.conversation.findFirstOrThrow({
        where: { subject: 'Compiler question' },
        include: { customer: true, attachments: true },
      })
      expect(conversation).toMatchObject({ status: 'new', channel: 'portal' })
      expect(conversation.customer).toMatchObject({ email: 'grace@example.org', name: 'Grace Hopper' })
      expect(conversation.attachments.map((a) => a.fileName)).toEqual(['log.txt'])
      const mail = await app.ctx.db.prisma.outboxEmail.findFirstOrThrow({ where: { conversationId: conversation.id, kind: 'confirmation' } })
      expect(mail.toAddress).toBe('grace@example.org')
      expect(mail.headers).toMatchObject({ 'Auto-Submitted': 'auto-generated' })
      expect(mail.text).toContain(statusPath(conversation.id))
    })

    it('confirms to the typed address without relaying any text typed in the form, a few times a day at most', async () => {
      const send = async (i: number) => {
        const client = request.agent(app.url)
        const page = await client.get('/contact')
        return client
          .post('/contact')
          .type('form')
          .send({
            _csrf: csrfFrom(page.text),
            name: 'Cheap pills at pills.example',
            email: 'victim@example.net',
            subject: `Visit pills.example ${i}`,
            message: 'Buy now at pills.example',
            website: '',
          })
      }
      // The contact form's own limit per client is not what is tested here.
      const resetClientLimit = () => app.ctx.db.prisma.$executeRaw`DELETE FROM rate_limits`
      await resetClientLimit()
      for (let i = 0; i < 4; i++) expect((await send(i)).status).toBe(200)
      await resetClientLimit()
      expect(await app.ctx.db.prisma.conversation.count({ where: { customer: { email: 'victim@example.net' } } })).toBe(4)
      const mails = await app.ctx.db.prisma.outboxEmail.findMany({ where: { toAddress: 'victim@example.net' } })
      expect(mails).toHaveLength(3)
      for (const mail of mails) for (const part of [mail.subject, mail.text, mail.html]) expect(part).not.toMatch(/pills|Buy now/)
    })

    it('answers a bad form with field messages, and a robot with thanks but no conversation', async () => {
      const client = request.agent(app.url)
      const page = await client.get('/contact')
      const bad = await client
        .post('/contact')
        .type('form')
        .send({ _csrf: csrfFrom(page.text), email: 'nope', subject: '', message: '' })
      expect(bad.status).toBe(400)
      expect(bad.text).toContain('Enter your e-mail address')
      const before = await app.ctx.db.prisma.conversation.count()
      const robot = await client
        .post('/contact')
        .type('form')
        .send({ _csrf: csrfFrom(page.text), email: 'bot@example.org', subject: 'Cheap pills', message: 'Buy', website: 'https://spam.example' })
      expect(robot.status).toBe(200)
      expect(robot.text).toContain('Thank you!')
      expect(await app.ctx.db.prisma.conversation.count()).toBe(before)
    })

    it('limits how often one address can write', async () => {
      const client = request.agent(app.url)
      const page = await client.get('/contact')
      const statuses = []
      for (let i = 0; i < 5; i++) {
        statuses.push(
          (
            await client
              .post('/contact')
              .type('form')
              .send({ _csrf: csrfFrom(page.text), email: `x${i}@example.org`, subject: `Hello ${i}`, message: 'Hi' })
          ).status,
        )
      }
      // Two posts above already used the hourly budget of five.
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0)
    })

    it('speaks the browser’s language, and so does the confirmation of the request it opens', async () => {
      await app.ctx.db.prisma.$executeRaw`DELETE FROM rate_limits`
      const client = request.agent(app.url)
      const page = await client.get('/contact').set('Accept-Language', 'fr-CA,fr;q=0.9')
      expect(page.text).toContain('Nous contacter')
      const bad = await client
        .post('/contact')
        .set('Accept-Language', 'fr')
        .type('form')
        .send({ _csrf: csrfFrom(page.text), email: 'nope', subject: 'Colis', message: 'Où est-il ?' })
      expect(bad.text).toContain('Saisissez votre adresse e-mail pour que nous puissions vous répondre')
      const res = await client
        .post('/contact')
        .set('Accept-Language', 'fr')
        .type('form')
        .send({ _csrf: csrfFrom(page.text), email: 'camille@example.fr', subject: 'Colis', message: 'Où est-il ?' })
      expect(res.text).toContain('Merci\u202f!')
      const conversation = await app.ctx.db.prisma.conversation.findFirstOrThrow({ where: { subject: 'Colis' }, include: { customer: true } })
      expect(conversation.customer.locale).toBe('fr')
      const mail = await app.ctx.db.prisma.outboxEmail.findFirstOrThrow({ where: { conversationId: conversation.id, kind: 'confirmation' } })
      expect(mail.subject).toBe(`Nous avons bien reçu votre demande [#${conversation.number}]`)
      expect(mail.text).toContain('Merci de nous avoir écrit.')
    })
  })

  describe('the status page', () => {
    it('says where the request stands and shows public messages only', async () => {
      const c = await buildConversation(ctx(), admin, { folderId, mode: 'record', text: 'My screen is blank.' })
      await replyAsAgent(ctx(), admin, { conversationId: c.id, text: 'Please check the cable.' })
      await addInternalComment(ctx(), admin, { conversationId: c.id, text: 'SECRET-NOTE customer is difficult' })
      const page = await request(app.url).get(statusPath(c.id))
      expect(page.status).toBe(200)
      expect(page.text).toContain('Answered: waiting for you')
      expect(page.text).toContain('My screen is blank.')
      expect(page.text).toContain('Please check the cable.')
      expect(page.text).not.toContain('SECRET-NOTE')
    })

    it('speaks the conversation’s language, whatever the browser’s, with times in the folder’s zone', async () => {
      const folder = await buildFolder(app.ctx.db.prisma)
      await app.ctx.db.prisma.folder.update({ where: { id: folder.id }, data: { locale: 'fr', timeZone: 'Europe/Paris' } })
      const c = await buildConversation(ctx(), admin, { folderId: folder.id, mode: 'send', text: 'Voici la solution.' })
      const page = await request(app.url).get(statusPath(c.id)).set('Accept-Language', 'en')
      expect(page.text).toContain(`Demande #${c.number}`)
      expect(page.text).toContain('Réponse envoyée\u00a0: nous attendons votre retour')
      const message = await app.ctx.db.prisma.message.findFirstOrThrow({ where: { conversationId: c.id } })
      const paris = new Intl.DateTimeFormat('fr', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Paris' }).format(message.createdAt)
      expect(page.text).toContain(paris)
      const answer = await request(app.url).get(new URL(answerUrl(app.ctx.mail, c.id, 'solved')).pathname)
      expect(answer.text).toContain('Oui, c’est résolu\u00a0: fermez ma demande')
    })

    it('takes the customer’s reply (status open) and their "solved" (status closed)', async () => {
      const c = await buildConversation(ctx(), admin, { folderId, mode: 'send', text: 'Here is a fix.' })
      const client = request.agent(app.url)
      const page = await client.get(statusPath(c.id))
      const reply = await client
        .post(`${statusPath(c.id)}/messages`)
        .field('_csrf', csrfFrom(page.text))
        .field('message', 'It did not work.')
      expect(reply.status).toBe(303)
      expect((await app.ctx.db.prisma.conversation.findUniqueOrThrow({ where: { id: c.id } })).status).toBe('open')
      const again = await client.get(statusPath(c.id))
      expect(again.text).toContain('It did not work.')
      expect(again.text).toContain('With us')
      await client
        .post(`${statusPath(c.id)}/resolved`)
        .type('form')
        .send({ _csrf: csrfFrom(again.text) })
      expect(await app.ctx.db.prisma.conversation.findUniqueOrThrow({ where: { id: c.id } })).toMatchObject({ status: 'closed', closedByKind: 'customer' })
    })

    it('serves attachments of public messages only', async () => {
      const c = await buildConversation(ctx(), admin, {
        folderId,
        mode: 'send',
        text: 'See file.',
        files: [{ fileName: 'guide.pdf', data: Buffer.from('%PDF-1.4 guide') }],
      })
      const secret = await addInternalComment(ctx(), admin, {
        conversationId: c.id,
        text: 'internal file',
        files: [{ fileName: 'internal.pdf', data: Buffer.from('%PDF-1.4 internal') }],
      })
      const files = await app.ctx.db.prisma.attachment.findMany({ where: { conversationId: c.id }, orderBy: { id: 'asc' } })
      const [guide, internal] = files
      expect((await request(app.url).get(`${statusPath(c.id)}/attachments/${guide!.id}`)).status).toBe(200)
      expect((await request(app.url).get(`${statusPath(c.id)}/attachments/${internal!.id}`)).status).toBe(404)
      expect(secret.message.kind).toBe('internal')
      // Another conversation's file through this conversation's link: no.
      const other = await buildConversation(ctx(), admin, {
        folderId,
        mode: 'send',
        text: 'x',
        files: [{ fileName: 'other.pdf', data: Buffer.from('%PDF-1.4 other') }],
      })
      const otherFile = await app.ctx.db.prisma.attachment.findFirstOrThrow({ where: { conversationId: other.id } })
      expect((await request(app.url).get(`${statusPath(c.id)}/attachments/${otherFile.id}`)).status).toBe(404)
    })

    it('refuses forged and tampered links', async () => {
      const c = await buildConversation(ctx(), admin, { folderId })
      const token = customerToken(app.ctx.mail.secret, 'status', c.id)
      expect((await request(app.url).get(`/s/${c.id}.AAAAAAAAAAAAAAAAAAAAAA`)).status).toBe(404)
      expect((await request(app.url).get(`/s/${c.id + 1}.${token.split('.')[1]}`)).status).toBe(404)
      // A reminder answer token is not a status page token.
      const solved = customerToken(app.ctx.mail.secret, 'solved', c.id)
      expect((await request(app.url).get(`/s/${solved}`)).status).toBe(404)
    })
  })

  describe('reminder answers', () => {
    it('shows a button first (mail scanners open links) and records the answer on the click', async () => {
      const c = await buildConversation(ctx(), admin, { folderId, mode: 'send', text: 'Done?' })
      const path = new URL(answerUrl(app.ctx.mail, c.id, 'solved')).pathname
      const client = request.agent(app.url)
      const page = await client.get(path)
      expect(page.status).toBe(200)
      expect(page.text).toContain('Yes, it is solved')
      expect((await app.ctx.db.prisma.conversation.findUniqueOrThrow({ where: { id: c.id } })).status).toBe('pending')
      const done = await client
        .post(path)
        .type('form')
        .send({ _csrf: csrfFrom(page.text) })
      expect(done.text).toContain('Thank you!')
      expect((await app.ctx.db.prisma.conversation.findUniqueOrThrow({ where: { id: c.id } })).status).toBe('closed')

      const d = await buildConversation(ctx(), admin, { folderId, mode: 'send', text: 'Done?' })
      const notSolved = new URL(answerUrl(app.ctx.mail, d.id, 'not-solved')).pathname
      const ask = await client.get(notSolved)
      await client
        .post(notSolved)
        .type('form')
        .send({ _csrf: csrfFrom(ask.text) })
      expect((await app.ctx.db.prisma.conversation.findUniqueOrThrow({ where: { id: d.id } })).status).toBe('open')
      // The "not solved" token cannot be used as a "solved" one.
      expect((await client.get(notSolved.replace('/r/not-solved/', '/r/solved/'))).status).toBe(404)
    })
  })

  function ctx() {
    return app.ctx.domain
  }
})
