import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { SYSTEM, type Actor } from '../../../src/domain/actor.ts'
import { replyAsAgent } from '../../../src/domain/conversations/commands/replyAsAgent.ts'
import { runLifecycleSweep } from '../../../src/domain/lifecycle/sweep.ts'
import { verifyCustomerToken } from '../../../src/mail/customerLinks.ts'
import { renderPendingEmails } from '../../../src/mail/outbound/renderOutbox.ts'
import { buildAgent, buildConversation, buildFolder, testClock } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

const RATE_LINK = /\/rate\/([\w.-]+)\?value=(great|okay|bad)/g

/** The rating links of an e-mail part: [token, value] pairs. */
const ratingLinks = (part: string) => [...part.matchAll(RATE_LINK)].map((m) => [m[1]!, m[2]!])

describe('the one-click rating in customers’ e-mails', () => {
  const time = testClock(new Date('2027-03-01T08:00:00Z'))
  let app: TestApp
  let admin: Actor
  const prisma = () => app.ctx.db.prisma
  const ctx = () => app.ctx.domain

  beforeAll(async () => {
    app = await startTestApp({}, { clock: time.clock })
    admin = await buildAgent(prisma(), { role: 'admin', name: 'Ada' })
  })
  afterAll(async () => {
    await app?.close()
  })
  beforeEach(async () => {
    // Conversations of earlier tests must not be due in this one.
    await prisma().conversation.updateMany({ where: { status: 'pending' }, data: { status: 'closed', pendingSince: null } })
  })

  async function folder(options: { ratingsEnabled: boolean; locale?: string }) {
    const f = await buildFolder(prisma())
    return prisma().folder.update({ where: { id: f.id }, data: { ratingsEnabled: options.ratingsEnabled, locale: options.locale ?? 'en' } })
  }

  async function replyMail(folderId: number, customerLocale: string | null = null) {
    const c = await buildConversation(ctx(), admin, { folderId, mode: 'record', text: 'My invoice is wrong.' })
    if (customerLocale) await prisma().customer.update({ where: { id: c.customerId }, data: { locale: customerLocale } })
    await replyAsAgent(ctx(), admin, { conversationId: c.id, text: 'We corrected it.' })
    await renderPendingEmails(prisma())
    return { c, mail: await prisma().outboxEmail.findFirstOrThrow({ where: { conversationId: c.id, kind: 'agent_reply' } }) }
  }

  it('a reply of a folder that asks carries three signed links, in HTML and text; a folder that does not, none', async () => {
    const asking = await folder({ ratingsEnabled: true })
    const { c, mail } = await replyMail(asking.id)
    expect(mail.template).toBeNull()
    for (const part of [mail.html, mail.text]) {
      const links = ratingLinks(part)
      expect(links.map(([, value]) => value)).toEqual(['great', 'okay', 'bad'])
      for (const [token] of links) expect(verifyCustomerToken(ctx().mail.secret, 'rate', token!)).toBe(c.id)
      // Single-purpose: a rating token is not a status page one.
      expect(verifyCustomerToken(ctx().mail.secret, 'status', links[0]![0]!)).toBeNull()
    }
    expect(mail.html).toContain('How was our reply?')
    expect(mail.html).toMatch(/>Great<\/a>[\s\S]*>Okay<\/a>[\s\S]*>Not good<\/a>/)
    expect(mail.text).toContain('How was our reply?\nGreat: http')
    expect(mail.text).toContain('Not good: http')

    const silent = await folder({ ratingsEnabled: false })
    const other = await replyMail(silent.id)
    expect(other.mail.html).not.toContain('/rate/')
    expect(other.mail.text).not.toContain('/rate/')
    expect(other.mail.text).not.toContain('How was our reply?')
  })

  it('speaks French to a French customer', async () => {
    const asking = await folder({ ratingsEnabled: true })
    const { mail } = await replyMail(asking.id, 'fr')
    expect(mail.html).toContain('<html lang="fr">')
    expect(mail.html).toContain('Comment avez-vous trouvé notre réponse\u202f?')
    expect(mail.html).toMatch(/>Très bien<\/a>[\s\S]*>Correct<\/a>[\s\S]*>Pas bien<\/a>/)
    expect(mail.text).toContain('Pas bien\u00a0: http')
    expect(ratingLinks(mail.text)).toHaveLength(3)
  })

  it('the reminder and the closing note carry the links when the folder asks, and only then', async () => {
    const asking = await folder({ ratingsEnabled: true, locale: 'fr' })
    const silent = await folder({ ratingsEnabled: false })
    const rated = await buildConversation(ctx(), admin, { folderId: asking.id, mode: 'send', text: 'Essayez de redémarrer.' })
    const plain = await buildConversation(ctx(), admin, { folderId: silent.id, mode: 'send', text: 'Try restarting.' })
    time.advanceDays(23)
    expect((await runLifecycleSweep(ctx(), SYSTEM)).reminded).toBe(2)
    time.advanceDays(8)
    expect((await runLifecycleSweep(ctx(), SYSTEM)).closed).toBe(2)
    await renderPendingEmails(prisma())
    for (const kind of ['reminder', 'closing'] as const) {
      const withLinks = await prisma().outboxEmail.findFirstOrThrow({ where: { conversationId: rated.id, kind } })
      const without = await prisma().outboxEmail.findFirstOrThrow({ where: { conversationId: plain.id, kind } })
      for (const part of [withLinks.html, withLinks.text]) {
        const links = ratingLinks(part)
        expect(links.map(([, value]) => value)).toEqual(['great', 'okay', 'bad'])
        for (const [token] of links) expect(verifyCustomerToken(ctx().mail.secret, 'rate', token!)).toBe(rated.id)
      }
      expect(withLinks.text).toContain('Comment avez-vous trouvé notre réponse\u202f?')
      for (const part of [without.html, without.text]) expect(part).not.toContain('/rate/')
    }
  })
})
