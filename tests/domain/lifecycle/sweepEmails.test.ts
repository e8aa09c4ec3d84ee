import { describe, expect, it } from 'vitest'
import {
  composeClosingNotes,
  composeReminders,
  renderBatchedEmail,
  threadSubject,
  type EmailBatch,
  type SweptConversation,
} from '../../../src/mail/outbound/conversationEmails.ts'
import { renderMail } from '../../../src/mail/outbound/templates.ts'
import { answerUrl, statusPageUrl } from '../../../src/mail/customerLinks.ts'
import { replyAddressFor } from '../../../src/mail/replyAddress.ts'
import type { MailContext } from '../../../src/mail/mailContext.ts'

/**
 * The sweep renders each batch's reminder and closing e-mails from the templates rendered once,
 * with only the per-conversation values put in. Every e-mail must be byte for byte what a render
 * of the template per conversation (the way every other e-mail is made) gives. (The same pieces
 * put together by PostgreSQL are checked in sweep.test.ts, on what the outbox holds.)
 */

/** Each e-mail of a batch as the outbox would hold it. */
function assembled(batch: EmailBatch) {
  return batch.emails.map((e) => ({
    messageId: e.messageId,
    conversationId: e.conversationId,
    toAddress: e.toAddress,
    subject: e.subject,
    headers: e.headers,
    ...renderBatchedEmail(batch, e),
  }))
}

const mail: MailContext = {
  publicUrl: 'https://help.example.test',
  mailDomain: 'example.test',
  supportAddress: 'support@example.test',
  secret: 'a-test-secret',
}

// Names and subjects that HTML escaping, the empty-name branch of the templates and string
// replacement patterns would each get wrong.
const NAMES = [
  'Ada Lovelace',
  '',
  'O\'Brien & "Sons" <ltd>',
  '<script>alert(1)</script>',
  'Zoë 山田 🙂',
  '$& $1 $$ $`',
  '0',
  ' ',
  'a\nb\r\nc',
  '&amp;',
  'x'.repeat(300),
]

function conversations(): SweptConversation[] {
  return NAMES.map((name, i) => ({
    id: 1000 + i,
    number: 5000 + i * 37,
    subject: i % 3 === 0 ? '' : `Question ${i} <b>&</b> "quoted"`,
    email: `customer-${i}@example.test`,
    name,
    folderAddress: i % 2 ? null : `folder${i}@example.test`,
    lastAgentMessageId: i % 4 ? `<agent-${i}@example.test>` : null,
  }))
}

/** One e-mail per conversation the way it was made before: renderMail and the same headers. */
async function expected(kind: 'reminder' | 'closing', text: string, c: SweptConversation) {
  const content =
    kind === 'reminder'
      ? await renderMail('reminder', {
          name: c.name,
          text,
          solvedUrl: answerUrl(mail, c.id, 'solved'),
          notSolvedUrl: answerUrl(mail, c.id, 'not-solved'),
          statusUrl: statusPageUrl(mail, c.id),
          number: c.number,
        })
      : await renderMail('closing', { name: c.name, text, statusUrl: statusPageUrl(mail, c.id), number: c.number })
  return {
    conversationId: c.id,
    toAddress: c.email,
    subject: `${kind === 'reminder' ? 'Is your problem solved?' : 'Closed:'} ${threadSubject(c, true)}`.slice(0, 500),
    headers: {
      'Auto-Submitted': 'auto-generated',
      'Content-Language': 'en',
      'Reply-To': replyAddressFor(c.folderAddress || mail.supportAddress, mail.secret, c.id),
      ...(c.lastAgentMessageId ? { 'In-Reply-To': c.lastAgentMessageId, References: c.lastAgentMessageId } : {}),
    },
    ...content,
  }
}

const TEXTS = ['We have not heard back. Is it solved? We close it in 7 days.', 'Fixed <b>text</b> with "quotes", & ampersands and $& patterns']

describe('reminder and closing e-mails of a sweep batch', () => {
  for (const text of TEXTS) {
    it(`reminders are identical to a render per conversation (${text.slice(0, 20)}…)`, async () => {
      const cs = conversations()
      const emails = assembled(await composeReminders(mail, text, cs))
      expect(emails).toHaveLength(cs.length)
      for (const [i, c] of cs.entries()) {
        const { messageId, ...rest } = emails[i]!
        expect(rest).toEqual(await expected('reminder', text, c))
        expect(messageId).toMatch(/^<[0-9a-f-]{36}@example\.test>$/)
      }
    })

    it(`closing notes are identical to a render per conversation (${text.slice(0, 20)}…)`, async () => {
      const cs = conversations()
      const emails = assembled(await composeClosingNotes(mail, text, cs))
      for (const [i, c] of cs.entries()) {
        const { messageId, ...rest } = emails[i]!
        expect(rest).toEqual(await expected('closing', text, c))
        expect(messageId).toMatch(/^<[0-9a-f-]{36}@example\.test>$/)
      }
    })
  }

  it('renders the template once per shape, not once per e-mail; own Message-IDs, order kept', async () => {
    const cs = Array.from({ length: 1_000 }, (_, i) => ({ ...conversations()[i % NAMES.length]!, id: i + 1, number: i + 1 }))
    const batch = await composeReminders(mail, TEXTS[0]!, cs)
    const emails = assembled(batch)
    // The template rendered for two shapes (with a name, without one), not per e-mail; each
    // e-mail carries only its values.
    expect(batch.shapes).toHaveLength(2)
    expect(batch.emails.every((e) => e.shape !== null && e.whole === undefined)).toBe(true)
    expect(emails.map((e) => e.conversationId)).toEqual(cs.map((c) => c.id))
    expect(new Set(emails.map((e) => e.messageId)).size).toBe(cs.length)
    // Spot checks across the batch, the empty name included.
    for (const i of [0, 1, 499, 999]) {
      const { messageId: _, ...rest } = emails[i]!
      expect(rest).toEqual(await expected('reminder', TEXTS[0]!, cs[i]!))
    }
  })

  it('an empty batch renders nothing', async () => {
    expect((await composeReminders(mail, TEXTS[0]!, [])).emails).toEqual([])
    expect((await composeClosingNotes(mail, TEXTS[0]!, [])).emails).toEqual([])
  })
})
