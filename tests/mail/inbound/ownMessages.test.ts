import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { classifyMail } from '../../../src/mail/inbound/classify.ts'
import { receiveRawMessage } from '../../../src/mail/inbound/intake.ts'
import { parseMail } from '../../../src/mail/inbound/parse.ts'
import { OWN_MESSAGES } from '../../fixtures/mail/ownMessages.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

/** Every class of e-mail the intake must handle, from the project's own fixtures, end to end. */
describe('the inbound intake on the project’s own messages', () => {
  let app: TestApp
  beforeAll(async () => {
    app = await startTestApp()
  })
  afterAll(async () => {
    await app?.close()
  })

  for (const fixture of OWN_MESSAGES) {
    it(`${fixture.name}: ${fixture.expect.kind}`, async () => {
      const want = fixture.expect
      const mail = await parseMail(fixture.raw)
      const envelopeFrom = fixture.envelopeFrom === undefined ? 'envelope@sender.example' : fixture.envelopeFrom
      const kind = classifyMail(mail, fixture.raw, envelopeFrom)
      expect(kind.kind).toBe(want.kind)
      if (want.bounce && kind.kind === 'bounce') expect({ recipient: kind.bounce.recipient, hard: kind.bounce.hard }).toEqual(want.bounce)
      if (want.complaint && kind.kind === 'complaint') expect({ recipient: kind.complaint.recipient }).toEqual(want.complaint)

      const { id, outcome } = await receiveRawMessage(app.ctx.domain, {
        source: envelopeFrom === null ? 'imap' : 'smtp',
        raw: fixture.raw,
        envelopeFrom,
        envelopeTo: ['help@acme.example'],
      })
      expect(outcome.status).toBe('processed')
      // Bounces and complaints are noted as such, and never start a conversation.
      if (want.kind === 'bounce' || want.kind === 'complaint') {
        expect(outcome.status === 'processed' && outcome.note).toMatch(want.kind === 'bounce' ? /^bounce/ : /^complaint/)
        expect(outcome.status === 'processed' && outcome.conversationId).toBeNull()
      }
      const prisma = app.ctx.db.prisma
      // Stored byte for byte, whatever became of it.
      expect(Buffer.from((await prisma.inboundMessage.findUniqueOrThrow({ where: { id } })).raw).equals(fixture.raw)).toBe(true)
      const message = mail.messageId
        ? await prisma.message.findUnique({
            where: { emailMessageId: mail.messageId },
            include: { conversation: { include: { customer: true } }, attachments: { orderBy: { id: 'asc' } } },
          })
        : null
      if (want.kind !== 'normal') {
        // Automatic mail changes nothing: no customer message, at most a system line in a thread.
        expect(message?.kind ?? 'system').toBe('system')
        return
      }
      expect(message?.kind).toBe('customer')
      const { conversation } = message!
      if (want.from) expect(conversation.customer.email).toBe(want.from)
      if (want.subject) expect(conversation.subject).toBe(want.subject)
      for (const words of want.text ?? []) expect(message!.bodyText).toContain(words)
      expect(message!.bodyText.trim().length).toBeGreaterThan(0)
      expect(message!.bodyHtml).not.toMatch(/<script|alert\(/)
      if (want.folded?.length) {
        expect(message!.visibleHtml).not.toBeNull()
        for (const words of want.folded) {
          expect(message!.visibleHtml).not.toContain(words)
          expect(message!.bodyText).toContain(words)
        }
        for (const words of want.text ?? []) expect(message!.visibleHtml).toContain(words)
      }
      expect(message!.attachments.filter((a) => !a.inline).map((a) => a.fileName)).toEqual(want.attachments ?? [])
      expect(message!.attachments.filter((a) => a.inline)).toHaveLength(want.inlineImages ?? 0)
    })
  }
})
