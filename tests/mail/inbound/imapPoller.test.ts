import { Writable } from 'node:stream'
import { pino } from 'pino'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Prisma } from '../../../src/db/database.ts'
import type { DomainContext } from '../../../src/domain/context.ts'
import { ImapPollError, pollImapAccount, startImapPollers } from '../../../src/mail/inbound/imapPoller.ts'
import { startDovecot, type Dovecot } from '../../helpers/dovecot.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

// One Dovecot user per test, so that every test starts with its own empty INBOX.
const USERS = {
  alice: { user: 'alice@example.test', password: 'alice-Secret-1' },
  carol: { user: 'carol@example.test', password: 'carol-Secret-2' },
  dan: { user: 'dan@example.test', password: 'dan-Secret-3' },
  erin: { user: 'erin@example.test', password: 'erin-Secret-4' },
  frank: { user: 'frank@example.test', password: 'frank-Secret-5' },
  gina: { user: 'gina@example.test', password: 'gina-Secret-6' },
  hugo: { user: 'hugo@example.test', password: 'hugo-Secret-7' },
  ivan: { user: 'ivan@example.test', password: 'ivan-Secret-8' },
  judy: { user: 'judy@example.test', password: 'judy-Secret-9' },
  kate: { user: 'kate@example.test', password: 'kate-Secret-10' },
  lena: { user: 'lena@example.test', password: 'lena-Secret-11' },
} as const
type UserKey = keyof typeof USERS

let dovecot: Dovecot
let app: TestApp
let ctx: DomainContext
let prisma: Prisma

/** Captured log lines at debug level, imapflow's included, to check that no password shows. */
const logLines: string[] = []
const logger = pino(
  { level: 'debug' },
  new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk))
      done()
    },
  }),
)

beforeAll(async () => {
  ;[dovecot, app] = await Promise.all([startDovecot({ users: Object.values(USERS).map((u) => ({ ...u })) }), startTestApp()])
  ctx = app.ctx.domain
  prisma = app.ctx.db.prisma
})

afterAll(async () => {
  await Promise.allSettled([dovecot?.stop(), app?.close()])
})

// startImapPollers polls every enabled account: leave no account of a test enabled for the next.
afterEach(async () => {
  await prisma.imapAccount.updateMany({ data: { enabled: false } })
})

let seq = 0
/** An RFC 5322 message with CRLF line ends (what IMAP stores and gives back byte for byte). */
function mail(o: { from?: string | null; to?: string; subject: string; messageId?: string; body?: string; headers?: string[] }): Buffer {
  const lines = [
    ...(o.from === null ? [] : [`From: ${o.from ?? 'Someone <someone@customer.test>'}`]),
    `To: ${o.to ?? 'Help <help@example.test>'}`,
    `Subject: ${o.subject}`,
    `Date: Mon, 04 Jan 2027 09:00:00 +0000`,
    `Message-ID: ${o.messageId ?? `<m${Date.now()}.${++seq}@customer.test>`}`,
    'MIME-Version: 1.0',
    ...(o.headers ?? ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit']),
    '',
    o.body ?? 'Hello,\r\nthis is a test message.\r\n',
  ]
  return Buffer.from(lines.join('\r\n'))
}

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n')

function mailWithAttachment(o: { from: string; subject: string; messageId: string }): Buffer {
  const boundary = 'b-1234567890'
  const body = [
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Please find the invoice attached.',
    `--${boundary}`,
    'Content-Type: application/pdf; name="invoice.pdf"',
    'Content-Disposition: attachment; filename="invoice.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    PDF.toString('base64'),
    `--${boundary}--`,
    '',
  ].join('\r\n')
  return mail({ ...o, headers: [`Content-Type: multipart/mixed; boundary="${boundary}"`], body })
}

/**
 * An account row for a Dovecot user. Disabled unless asked: pollImapAccount does not look at the
 * flag, and only the startImapPollers tests need accounts that every poller would pick up.
 */
async function createAccount(key: UserKey, data: { password?: string; moveToMailbox?: string | null; folderId?: number | null; enabled?: boolean } = {}) {
  const u = USERS[key]
  return prisma.imapAccount.create({
    data: {
      host: dovecot.host,
      port: dovecot.port,
      secure: false,
      username: u.user,
      password: data.password ?? u.password,
      mailbox: 'INBOX',
      moveToMailbox: data.moveToMailbox ?? null,
      folderId: data.folderId ?? null,
      enabled: data.enabled ?? false,
    },
  })
}

const append = (key: UserKey, raw: Buffer, mailbox = 'INBOX') => dovecot.append(USERS[key].user, USERS[key].password, mailbox, raw)

/** UID, flags and bytes of every message in one of a user's mailboxes. */
async function mailboxContents(key: UserKey, mailbox = 'INBOX') {
  const client = await dovecot.connect(USERS[key].user, USERS[key].password)
  try {
    await client.mailboxOpen(mailbox)
    const all = await client.fetchAll('1:*', { uid: true, flags: true, source: true })
    return all.map((m) => ({ uid: m.uid, flags: [...(m.flags ?? [])], source: m.source! }))
  } catch (err) {
    if ((err as { code?: string }).code === 'NoMailboxSelected') return []
    throw err
  } finally {
    await client.logout()
  }
}

async function lastInboundId() {
  return (await prisma.inboundMessage.aggregate({ _max: { id: true } }))._max.id ?? 0
}

const inboundSince = (id: number) => prisma.inboundMessage.findMany({ where: { id: { gt: id } }, orderBy: { id: 'asc' } })

describe('IMAP poller (real Dovecot)', () => {
  it('stores every unseen message, then marks it seen, then threads it; a broken message does not block the others', async () => {
    const folder = await prisma.folder.create({ data: { name: 'Billing (imap)', inboundAddress: 'billing-imap@example.test' } })
    const account = await createAccount('alice', { folderId: folder.id })
    const plain = mail({
      from: 'Chloé Martin <Chloe.Martin@customer.test>',
      subject: 'Printer on fire',
      messageId: '<printer-1@customer.test>',
      body: 'Our printer is on fire.\r\nPlease help.\r\n',
    })
    const withFile = mailWithAttachment({ from: 'Bruno Petit <bruno@customer.test>', subject: 'Invoice question', messageId: '<invoice-1@customer.test>' })
    const noSender = mail({ from: null, subject: 'Nobody sent this', messageId: '<nosender-1@customer.test>' })
    // The broken one in the middle: the one after it must still be taken.
    for (const raw of [plain, noSender, withFile]) await append('alice', raw)
    const before = await lastInboundId()

    await expect(pollImapAccount(ctx, account, logger)).resolves.toEqual({ fetched: 3, stored: 3 })

    const rows = await inboundSince(before)
    expect(rows).toHaveLength(3)
    expect(rows.map((r) => r.source)).toEqual(['imap', 'imap', 'imap'])
    expect(Buffer.from(rows[0]!.raw).equals(plain)).toBe(true)
    expect(Buffer.from(rows[1]!.raw).equals(noSender)).toBe(true)
    expect(Buffer.from(rows[2]!.raw).equals(withFile)).toBe(true)
    expect(rows.map((r) => r.size)).toEqual([plain.length, noSender.length, withFile.length])
    expect(rows[0]!.status).toBe('processed')
    expect(rows[2]!.status).toBe('processed')
    // What becomes of mail without a sender is the intake's decision (it has been both ways):
    // failed with the reason, or a conversation with a placeholder sender. Never left unprocessed.
    const broken = rows[1]!
    expect(broken.messageIdHeader).toBe('<nosender-1@customer.test>')
    if (broken.status === 'failed') {
      expect(broken.error).toMatch(/From|sender/i)
      expect(broken.conversationId).toBeNull()
    } else {
      expect(broken.status).toBe('processed')
      const c = await prisma.conversation.findUniqueOrThrow({ where: { id: broken.conversationId! }, include: { customer: true } })
      expect(c.subject).toBe('Nobody sent this')
      expect(c.customer.email).not.toMatch(/customer\.test$/)
    }

    const conversations = await prisma.conversation.findMany({
      where: { id: { in: [rows[0]!.conversationId!, rows[2]!.conversationId!] } },
      include: { customer: true, attachments: true, messages: true },
      orderBy: { id: 'asc' },
    })
    expect(conversations).toHaveLength(2)
    const [printer, invoice] = conversations
    expect(printer!.subject).toBe('Printer on fire')
    expect(printer!.customer.email).toBe('chloe.martin@customer.test')
    expect(printer!.customer.name).toBe('Chloé Martin')
    expect(printer!.channel).toBe('email')
    expect(printer!.folderId).toBe(folder.id) // the account's folder
    expect(printer!.messages).toHaveLength(1)
    expect(printer!.messages[0]!.bodyText).toContain('Our printer is on fire.')
    expect(printer!.messages[0]!.emailMessageId).toBe('<printer-1@customer.test>')
    expect(printer!.messages[0]!.inboundId).toBe(rows[0]!.id)
    expect(invoice!.subject).toBe('Invoice question')
    expect(invoice!.customer.email).toBe('bruno@customer.test')
    expect(invoice!.attachments).toHaveLength(1)
    expect(invoice!.attachments[0]!.fileName).toBe('invoice.pdf')
    expect(invoice!.attachments[0]!.size).toBe(PDF.length)
    expect(invoice!.attachments[0]!.mimeType).toBe('application/pdf')

    const inbox = await mailboxContents('alice')
    expect(inbox).toHaveLength(3)
    for (const m of inbox) expect(m.flags).toContain('\\Seen')

    const polled = await prisma.imapAccount.findUniqueOrThrow({ where: { id: account.id } })
    expect(polled.lastPolledAt).toBeInstanceOf(Date)
    expect(polled.lastError).toBeNull()

    // Nothing new: the second poll fetches nothing and stores nothing.
    await expect(pollImapAccount(ctx, polled, logger)).resolves.toEqual({ fetched: 0, stored: 0 })
    expect(await inboundSince(before)).toHaveLength(3)

    // A message that arrives later is taken by the next poll.
    await append(
      'alice',
      mail({
        from: 'chloe.martin@customer.test',
        subject: 'Re: Printer on fire',
        messageId: '<printer-2@customer.test>',
        headers: ['In-Reply-To: <printer-1@customer.test>', 'Content-Type: text/plain'],
      }),
    )
    await expect(pollImapAccount(ctx, polled, logger)).resolves.toEqual({ fetched: 1, stored: 1 })
    expect(await prisma.message.count({ where: { conversationId: printer!.id } })).toBe(2)
  })

  it('moves messages to moveToMailbox once they are committed', async () => {
    const client = await dovecot.connect(USERS.carol.user, USERS.carol.password)
    await client.mailboxCreate('Processed')
    await client.logout()
    const account = await createAccount('carol', { moveToMailbox: 'Processed' })
    const first = mail({ from: 'dora@customer.test', subject: 'Move me one', messageId: '<move-1@customer.test>' })
    const second = mail({ from: 'dora@customer.test', subject: 'Move me two', messageId: '<move-2@customer.test>' })
    await append('carol', first)
    await append('carol', second)
    const before = await lastInboundId()

    await expect(pollImapAccount(ctx, account, logger)).resolves.toEqual({ fetched: 2, stored: 2 })

    expect(await mailboxContents('carol', 'INBOX')).toHaveLength(0)
    const processed = await mailboxContents('carol', 'Processed')
    expect(processed.map((m) => m.source.toString())).toEqual([first.toString(), second.toString()])
    const rows = await inboundSince(before)
    expect(rows.map((r) => r.status)).toEqual(['processed', 'processed'])
    expect((await prisma.imapAccount.findUniqueOrThrow({ where: { id: account.id } })).lastError).toBeNull()
    await expect(pollImapAccount(ctx, account, logger)).resolves.toEqual({ fetched: 0, stored: 0 })
  })

  it('marks a message seen when the move fails (missing mailbox), and says so on the account', async () => {
    const account = await createAccount('lena', { moveToMailbox: 'No Such Folder' })
    const raw = mail({ from: 'dora@customer.test', subject: 'Nowhere to go', messageId: '<nowhere-1@customer.test>' })
    await append('lena', raw)
    const before = await lastInboundId()

    await expect(pollImapAccount(ctx, account, logger)).resolves.toEqual({ fetched: 1, stored: 1 })

    const inbox = await mailboxContents('lena')
    expect(inbox).toHaveLength(1)
    expect(inbox[0]!.flags).toContain('\\Seen')
    expect((await inboundSince(before)).map((r) => r.status)).toEqual(['processed'])
    expect((await prisma.imapAccount.findUniqueOrThrow({ where: { id: account.id } })).lastError).toMatch(/No Such Folder.*marked seen instead/)
    // Seen now, so not fetched again.
    await expect(pollImapAccount(ctx, account, logger)).resolves.toEqual({ fetched: 0, stored: 0 })
  })

  it('acknowledges nothing when the commit fails: the message stays unseen and the next poll takes it', async () => {
    const account = await createAccount('ivan')
    const raw = mail({ from: 'olga@customer.test', subject: 'Commit first', messageId: '<commit-1@customer.test>' })
    await append('ivan', raw)
    const before = await lastInboundId()

    // The same context, but the database refuses the raw row.
    const failingPrisma = new Proxy(prisma, {
      get(target, key) {
        if (key === 'inboundMessage') {
          return new Proxy(target.inboundMessage, {
            get: (t, k) => (k === 'create' ? () => Promise.reject(new Error('database is unavailable')) : Reflect.get(t, k)),
          })
        }
        return Reflect.get(target, key)
      },
    })
    await expect(pollImapAccount({ ...ctx, prisma: failingPrisma }, account, logger)).rejects.toThrow(/database is unavailable/)
    expect((await mailboxContents('ivan'))[0]!.flags).not.toContain('\\Seen')
    expect(await inboundSince(before)).toHaveLength(0)
    expect((await prisma.imapAccount.findUniqueOrThrow({ where: { id: account.id } })).lastError).toMatch(/database is unavailable/)

    await expect(pollImapAccount(ctx, account, logger)).resolves.toEqual({ fetched: 1, stored: 1 })
    expect((await mailboxContents('ivan'))[0]!.flags).toContain('\\Seen')
    expect((await inboundSince(before)).map((r) => r.status)).toEqual(['processed'])
    expect((await prisma.imapAccount.findUniqueOrThrow({ where: { id: account.id } })).lastError).toBeNull()
  })

  it('polls accounts concurrently; a wrong password is recorded on its account and stops nobody', async () => {
    // The broken account first, so that even one at a time it comes before the others.
    const wrongPassword = 'Wrong-Password-Zz9'
    const broken = await createAccount('frank', { password: wrongPassword, enabled: true })
    const danAccount = await createAccount('dan', { enabled: true })
    const erinAccount = await createAccount('erin', { enabled: true })
    const disabled = await createAccount('kate')
    await append('dan', mail({ from: 'paul@customer.test', subject: 'From Dan’s mailbox', messageId: '<dan-1@customer.test>' }))
    await append('erin', mail({ from: 'rita@customer.test', subject: 'From Erin’s mailbox', messageId: '<erin-1@customer.test>' }))
    await append('frank', mail({ from: 'sam@customer.test', subject: 'Never read', messageId: '<frank-1@customer.test>' }))
    await append('kate', mail({ from: 'sam@customer.test', subject: 'Disabled account', messageId: '<kate-1@customer.test>' }))
    const before = await lastInboundId()

    // The bad account on its own: recorded, then rejected, with no password in the error.
    const direct = await pollImapAccount(ctx, broken, logger).then(
      () => null,
      (err: unknown) => err,
    )
    expect(direct).toBeInstanceOf(ImapPollError)
    expect((direct as Error).message).not.toContain(wrongPassword)

    // PGlite runs one statement at a time and mixes up concurrent connections' statements (see
    // the report on src/db): the server polls one account at a time there, and so does this test.
    const embedded = app.ctx.db.kind === 'embedded'
    const logFrom = logLines.length
    const pollers = startImapPollers({ ctx, logger, intervalMs: 3_600_000, concurrency: embedded ? 1 : 5 })
    try {
      await expect(pollers.pollNow()).resolves.toBeUndefined()
    } finally {
      await pollers.stop()
    }

    if (!embedded) {
      // The two good accounts' polls overlapped in time.
      const entries = logLines.slice(logFrom).map((l) => JSON.parse(l) as { msg: string; time: number; imapAccountId?: number; fetched?: number })
      const span = (id: number) => {
        const start = entries.find((e) => e.imapAccountId === id && e.msg === 'imap poll started')!.time
        const end = entries.find((e) => e.imapAccountId === id && e.msg === 'imap mailbox polled' && e.fetched === 1)!.time
        return { start, end }
      }
      const [a, b] = [span(danAccount.id), span(erinAccount.id)]
      expect(a.start).toBeLessThan(b.end)
      expect(b.start).toBeLessThan(a.end)
    }

    const rows = await inboundSince(before)
    expect(rows.map((r) => r.subject).sort()).toEqual(['From Dan’s mailbox', 'From Erin’s mailbox'])
    expect(rows.map((r) => [r.status, r.error])).toEqual([
      ['processed', null],
      ['processed', null],
    ])
    expect(rows.every((r) => r.conversationId !== null)).toBe(true)
    for (const key of ['dan', 'erin'] as const) expect((await mailboxContents(key))[0]!.flags).toContain('\\Seen')
    for (const a of [danAccount, erinAccount]) {
      const row = await prisma.imapAccount.findUniqueOrThrow({ where: { id: a.id } })
      expect(row.lastPolledAt).toBeInstanceOf(Date)
      expect(row.lastError).toBeNull()
    }

    const brokenRow = await prisma.imapAccount.findUniqueOrThrow({ where: { id: broken.id } })
    expect(brokenRow.lastPolledAt).toBeInstanceOf(Date)
    expect(brokenRow.lastError).toMatch(/Login refused by the server.*check the username and password/)
    expect(brokenRow.lastError!.length).toBeLessThanOrEqual(500)
    expect(brokenRow.lastError).not.toContain(wrongPassword)
    expect((await mailboxContents('frank'))[0]!.flags).not.toContain('\\Seen')

    // A disabled account is left alone.
    expect((await prisma.imapAccount.findUniqueOrThrow({ where: { id: disabled.id } })).lastPolledAt).toBeNull()
    expect((await mailboxContents('kate'))[0]!.flags).not.toContain('\\Seen')

    const log = logLines.join('')
    expect(log).toContain('imap') // imapflow's debug log did reach the logger
    for (const secret of [wrongPassword, ...Object.values(USERS).map((u) => u.password)]) expect(log).not.toContain(secret)
  })

  it('never runs two polls of one account at once', async () => {
    await createAccount('judy', { enabled: true })
    await append('judy', mail({ from: 'tina@customer.test', subject: 'Only once', messageId: '<judy-1@customer.test>' }))
    const before = await lastInboundId()
    // The first round starts by itself; two more asked for at the same time.
    const pollers = startImapPollers({ ctx, logger, intervalMs: 3_600_000 })
    try {
      await Promise.all([pollers.pollNow(), pollers.pollNow(), pollers.pollNow()])
    } finally {
      await pollers.stop()
    }
    expect(await inboundSince(before)).toHaveLength(1)
  })

  it('keeps the same e-mail delivered twice as two raw rows but one message', async () => {
    const account = await createAccount('gina')
    const raw = mail({ from: 'victor@customer.test', subject: 'Sent twice', messageId: '<twice-1@customer.test>' })
    await append('gina', raw)
    await append('gina', raw)
    const before = await lastInboundId()

    await expect(pollImapAccount(ctx, account, logger)).resolves.toEqual({ fetched: 2, stored: 2 })

    const rows = await inboundSince(before)
    expect(rows).toHaveLength(2)
    expect(rows.every((r) => Buffer.from(r.raw).equals(raw))).toBe(true)
    expect(rows.map((r) => r.status)).toEqual(['processed', 'processed'])
    expect(rows[0]!.conversationId).not.toBeNull()
    expect(rows[1]!.conversationId).toBe(rows[0]!.conversationId)
    expect(rows[1]!.note).toMatch(/duplicate/)
    expect(await prisma.message.count({ where: { conversationId: rows[0]!.conversationId! } })).toBe(1)
    expect(await prisma.message.count({ where: { emailMessageId: '<twice-1@customer.test>' } })).toBe(1)
  })

  it('takes at most batchSize messages per poll, and stores an oversized message without reading it', async () => {
    const account = await createAccount('hugo')
    const big = mail({ from: 'wendy@customer.test', subject: 'Huge', messageId: '<huge-1@customer.test>', body: `${'x'.repeat(76)}\r\n`.repeat(60) })
    await append('hugo', mail({ from: 'wendy@customer.test', subject: 'Small one', messageId: '<small-1@customer.test>' }))
    await append('hugo', big)
    await append('hugo', mail({ from: 'wendy@customer.test', subject: 'Small two', messageId: '<small-2@customer.test>' }))
    const before = await lastInboundId()
    const poll = { batchSize: 2, maxMessageBytes: 2048 }

    await expect(pollImapAccount(ctx, account, logger, poll)).resolves.toEqual({ fetched: 2, stored: 2 })
    await expect(pollImapAccount(ctx, account, logger, poll)).resolves.toEqual({ fetched: 1, stored: 1 })
    await expect(pollImapAccount(ctx, account, logger, poll)).resolves.toEqual({ fetched: 0, stored: 0 })

    const rows = await inboundSince(before)
    expect(rows).toHaveLength(3)
    expect(Buffer.from(rows[1]!.raw).equals(big)).toBe(true)
    expect(rows[1]!.status).toBe('failed')
    expect(rows[1]!.error).toMatch(/limit/)
    expect(rows[1]!.conversationId).toBeNull()
    expect([rows[0]!.status, rows[2]!.status]).toEqual(['processed', 'processed'])
    for (const m of await mailboxContents('hugo')) expect(m.flags).toContain('\\Seen')
  })
})
