import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Actor } from '../../../src/domain/actor.ts'
import { requestPasswordReset } from '../../../src/domain/agents/passwordReset.ts'
import { VISITOR } from '../../../src/domain/actor.ts'
import { assignConversation } from '../../../src/domain/conversations/commands/assignConversation.ts'
import { replyAsAgent } from '../../../src/domain/conversations/commands/replyAsAgent.ts'
import { translator } from '../../../src/i18n/translate.ts'
import { conversationLanguage } from '../../../src/mail/outbound/language.ts'
import { richTranslator } from '../../../src/mail/outbound/richText.ts'
import { buildAgent, buildConversation, buildFolder } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

describe('e-mails in their reader’s language', () => {
  let app: TestApp
  let admin: Actor
  const prisma = () => app.ctx.db.prisma

  beforeAll(async () => {
    app = await startTestApp()
    admin = await buildAgent(prisma(), { role: 'admin', name: 'Ada' })
  })
  afterAll(async () => {
    await app?.close()
  })
  beforeEach(async () => {
    await prisma().outboxEmail.deleteMany()
  })

  async function frenchFolder() {
    const folder = await buildFolder(prisma())
    return prisma().folder.update({ where: { id: folder.id }, data: { locale: 'fr', timeZone: 'Europe/Paris' } })
  }

  it('a conversation speaks its customer’s language, else its folder’s; dates in the folder’s zone', () => {
    const folder = { locale: 'fr', timeZone: 'Europe/Paris' }
    expect(conversationLanguage({ customer: { locale: null }, folder })).toEqual({ locale: 'fr', timeZone: 'Europe/Paris' })
    expect(conversationLanguage({ customer: { locale: 'en' }, folder })).toEqual({ locale: 'en', timeZone: 'Europe/Paris' })
    // A language no longer offered, a zone that does not exist: the reference language, UTC.
    expect(conversationLanguage({ customer: { locale: 'xx' }, folder: { locale: 'xx', timeZone: 'Mars/Olympus' } })).toEqual({ locale: 'en', timeZone: 'UTC' })
  })

  it('writes an agent’s reply to a customer of a French folder in French, and in English to one who reads English', async () => {
    const folder = await frenchFolder()
    const c = await buildConversation(app.ctx.domain, admin, { folderId: folder.id, mode: 'record', text: 'Mon colis est perdu.' })
    // A conversation started by an e-mail without a subject.
    await prisma().conversation.update({ where: { id: c.id }, data: { subject: '' } })
    await replyAsAgent(app.ctx.domain, admin, { conversationId: c.id, text: 'Nous le cherchons.' })
    const french = await prisma().outboxEmail.findFirstOrThrow({ where: { conversationId: c.id, kind: 'agent_reply' } })
    expect(french.subject).toBe(`Re: [#${c.number}] (sans objet)`)
    expect(french.html).toContain('<html lang="fr">')
    expect(french.html).toContain('Répondez directement à cet e-mail')
    expect(french.text).toContain(`Votre demande (#${c.number}) et son état d’avancement\u00a0: `)

    await prisma().customer.update({ where: { id: c.customerId }, data: { locale: 'en' } })
    await replyAsAgent(app.ctx.domain, admin, { conversationId: c.id, text: 'Found it.' })
    const english = await prisma().outboxEmail.findFirstOrThrow({ where: { conversationId: c.id, kind: 'agent_reply', id: { gt: french.id } } })
    expect(english.subject).toBe(`Re: [#${c.number}] (no subject)`)
    expect(english.text).toContain('Reply to this e-mail to answer.')
  })

  it('tells an agent in their own language, whatever the conversation’s', async () => {
    const folder = await buildFolder(prisma())
    const agent = await buildAgent(prisma(), { folderIds: [folder.id] })
    await prisma().agent.update({ where: { id: agent.id }, data: { locale: 'fr' } })
    const c = await buildConversation(app.ctx.domain, admin, { folderId: folder.id, subject: 'Lamp' })
    await assignConversation(app.ctx.domain, admin, { conversationId: c.id, assigneeId: agent.id })
    const mail = await prisma().outboxEmail.findFirstOrThrow({ where: { conversationId: c.id, kind: 'notification' } })
    expect(mail.subject).toBe(`Ada vous a attribué une conversation\u00a0: [#${c.number}] Lamp`)
    expect(mail.html).toContain('Ouvrir la conversation')
    expect(mail.text).toContain('Bonjour ')
  })

  it('sends a password reset link in the agent’s language', async () => {
    const agent = await buildAgent(prisma())
    await prisma().agent.update({ where: { id: agent.id }, data: { locale: 'fr' } })
    await requestPasswordReset(app.ctx.domain, VISITOR, { email: agent.email })
    const mail = await prisma().outboxEmail.findFirstOrThrow({ where: { kind: 'password_reset', toAddress: agent.email } })
    expect(mail.subject).toBe('Réinitialisez votre mot de passe Suivi')
    expect(mail.text).toContain('pendant 60 minutes')
  })
})

describe('messages with markup, for the HTML parts', () => {
  it('makes the tags the caller names, escapes the rest, and never turns a value into markup', () => {
    const rich = richTranslator(translator('en'))
    expect(rich('mail.seeRequest', { number: 7 }, { a: { href: 'https://h/s?a=1&b="2"', style: 'color: #2952cc' } })).toBe(
      '<a href="https://h/s?a=1&amp;b=&#34;2&#34;" style="color: #2952cc">See your request</a> (#7).',
    )
    expect(rich('auth.invite.intro', { email: '<a>x</a>@example.test' })).toBe(
      'Choose the password you will sign in with as <strong>&lt;a&gt;x&lt;/a&gt;@example.test</strong>.',
    )
    // Without the attributes of <a>, the tag stays text.
    expect(rich('mail.seeRequest', { number: 7 })).toBe('&lt;a&gt;See your request&lt;/a&gt; (#7).')
  })
})
