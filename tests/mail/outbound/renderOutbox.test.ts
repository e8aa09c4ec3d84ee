import type { SendMailOptions } from 'nodemailer'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { DomainContext } from '../../../src/domain/context.ts'
import { replyAsAgent } from '../../../src/domain/conversations/commands/replyAsAgent.ts'
import { deliverDueEmails } from '../../../src/mail/outbound/delivery.ts'
import { enqueueEmail } from '../../../src/mail/outbound/outbox.ts'
import { renderPendingEmails } from '../../../src/mail/outbound/renderOutbox.ts'
import { buildAgent, buildConversation, buildFolder } from '../../helpers/factories.ts'
import { NEEDS_POSTGRES, onPostgres } from '../../helpers/needsPostgres.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

const FROM = 'Suivi Support <support@suivi.test>'

describe('e-mails written in a transaction and rendered after it', () => {
  let app: TestApp
  const prisma = () => app.ctx.db.prisma
  /** The app's context without the reaction that renders after commit: as if the process died right after the commit. */
  let diesAfterCommit: DomainContext

  beforeAll(async () => {
    app = await startTestApp()
    diesAfterCommit = { ...app.ctx.domain, reactions: app.ctx.domain.reactions.filter((r) => r.name !== 'renderEmails') }
  })
  afterAll(async () => {
    await app?.close()
  })
  beforeEach(async () => {
    await prisma().outboxEmail.deleteMany()
  })

  const invitation = (i: number) =>
    prisma().$transaction((tx) =>
      enqueueEmail(tx, 'suivi.test', {
        kind: 'invitation',
        to: `new-${i}@example.test`,
        subject: 'Join us',
        template: 'invitation',
        params: { name: `Newcomer ${i}`, inviter: 'Ada', link: `https://suivi.test/invite/token-${i}`, days: 7 },
      }),
    )

  it('a command returns with its e-mails rendered; its transaction only wrote the template', async () => {
    const admin = await buildAgent(prisma(), { role: 'admin' })
    const folder = await buildFolder(prisma())
    const c = await buildConversation(app.ctx.domain, admin, { folderId: folder.id, mode: 'record', text: 'My parcel is lost.' })
    await replyAsAgent(app.ctx.domain, admin, { conversationId: c.id, text: 'We are looking for it.' })
    const rendered = await prisma().outboxEmail.findFirstOrThrow({ where: { conversationId: c.id, kind: 'agent_reply' } })
    expect(rendered).toMatchObject({ template: null, params: null })
    expect(rendered.text).toContain('We are looking for it.')

    await replyAsAgent(diesAfterCommit, admin, { conversationId: c.id, text: 'Found it: it is on its way.' })
    const written = await prisma().outboxEmail.findFirstOrThrow({ where: { conversationId: c.id, kind: 'agent_reply', id: { gt: rendered.id } } })
    expect(written).toMatchObject({ template: 'agent-reply', html: '', text: '' })
    expect(written.headers).toMatchObject({ 'In-Reply-To': expect.any(String), 'Reply-To': expect.any(String) })
    expect(written.subject).toBe(rendered.subject)
  })

  // The embedded database runs one transaction at a time: it cannot show two at once.
  it.runIf(onPostgres)(`rendering takes no lock of the conversation: it goes ahead while another transaction holds it ${NEEDS_POSTGRES}`, async () => {
    const admin = await buildAgent(prisma(), { role: 'admin' })
    const folder = await buildFolder(prisma())
    const c = await buildConversation(app.ctx.domain, admin, { folderId: folder.id, mode: 'record', text: 'My parcel is lost.' })
    await replyAsAgent(diesAfterCommit, admin, { conversationId: c.id, text: 'Found it: it is on its way.' })
    const written = await prisma().outboxEmail.findFirstOrThrow({ where: { conversationId: c.id, kind: 'agent_reply' } })
    expect(written.template).toBe('agent-reply')
    await prisma().$transaction(async (tx) => {
      await tx.$executeRaw`SELECT 1 FROM conversations WHERE id = ${c.id} FOR UPDATE`
      expect(await renderPendingEmails(prisma())).toEqual({ rendered: 1, failed: 0 })
    })
    const after = await prisma().outboxEmail.findUniqueOrThrow({ where: { id: written.id } })
    expect(after.template).toBeNull()
    expect(after.text).toContain('Found it: it is on its way.')
    expect(after.html).toContain('Found it: it is on its way.')
  })

  it('the delivery worker renders an e-mail its writer left unrendered before sending it', async () => {
    const admin = await buildAgent(prisma(), { role: 'admin' })
    const folder = await buildFolder(prisma())
    const c = await buildConversation(diesAfterCommit, admin, {
      folderId: folder.id,
      mode: 'send',
      customerEmail: 'casey@example.com',
      text: 'Your refund is on its way.',
    })
    const row = await prisma().outboxEmail.findFirstOrThrow({ where: { conversationId: c.id } })
    expect(row).toMatchObject({ kind: 'agent_reply', template: 'agent-reply', html: '' })

    const sent: SendMailOptions[] = []
    const result = await deliverDueEmails({
      prisma: prisma(),
      transport: { sendMail: async (m: SendMailOptions) => void sent.push(m) },
      clock: () => new Date(),
      logger: app.ctx.logger,
      from: FROM,
    })
    expect(result).toEqual({ sent: 1, failed: 0, retried: 0 })
    expect(sent).toHaveLength(1)
    expect(String(sent[0]!.text)).toContain('Your refund is on its way.')
    expect(String(sent[0]!.html)).toContain('Your refund is on its way.')
    expect(await prisma().outboxEmail.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: 'sent', template: null })
  })

  it('renderers running at once render each e-mail once', async () => {
    const rows: { id: number }[] = []
    for (let i = 0; i < 37; i++) rows.push(await invitation(i))
    const results = await Promise.all(Array.from({ length: 4 }, () => renderPendingEmails(prisma())))
    expect(results.reduce((n, r) => n + r.rendered, 0)).toBe(37)
    expect(results.every((r) => r.failed === 0)).toBe(true)
    const stored = await prisma().outboxEmail.findMany({ orderBy: { id: 'asc' } })
    expect(stored.every((r) => r.template === null && r.params === null)).toBe(true)
    expect(stored.map((r) => r.text.includes(`https://suivi.test/invite/token-${rows.findIndex((w) => w.id === r.id)}`))).toEqual(stored.map(() => true))
  })

  it('an e-mail that cannot be rendered is marked failed with its reason, never sent empty', async () => {
    const broken = await prisma().outboxEmail.create({
      data: {
        kind: 'notification',
        messageId: '<broken@suivi.test>',
        toAddress: 'agent@example.test',
        subject: 'Hello',
        template: 'agent-notification',
        params: { headline: 'x' },
      },
    })
    const unknown = await prisma().outboxEmail.create({
      data: {
        kind: 'notification',
        messageId: '<unknown@suivi.test>',
        toAddress: 'agent@example.test',
        subject: 'Hello',
        template: '../../../etc/passwd',
        params: {},
      },
    })
    const fine = await invitation(1)
    const sent: SendMailOptions[] = []
    await deliverDueEmails({
      prisma: prisma(),
      transport: { sendMail: async (m: SendMailOptions) => void sent.push(m) },
      clock: () => new Date(),
      logger: app.ctx.logger,
      from: FROM,
    })
    expect(sent.map((m) => m.messageId)).toEqual([fine.messageId])
    expect(await prisma().outboxEmail.findUniqueOrThrow({ where: { id: broken.id } })).toMatchObject({
      status: 'failed',
      lastError: expect.stringContaining('could not be written'),
    })
    expect(await prisma().outboxEmail.findUniqueOrThrow({ where: { id: unknown.id } })).toMatchObject({
      status: 'failed',
      lastError: expect.stringContaining('unknown template'),
    })
  })
})
