/**
 * E-mails with hundreds of attachments through the real intake: the customer's text always
 * reaches the agents, every attachment up to the per-message limit is stored, the rest is named in
 * a note and kept in the stored original, and nothing is half-stored.
 */
import { createHash, randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ATTACHMENTS_PER_MESSAGE_MAX } from '../../../src/mail/inbound/parse.ts'
import { processInboundMessage, receiveRawMessage } from '../../../src/mail/inbound/intake.ts'
import type { DomainContext } from '../../../src/domain/context.ts'
import { BACKGROUND_STATEMENTS, countQueries } from '../../helpers/queryCounter.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

const TYPES = [
  { ext: 'pdf', type: 'application/pdf', magic: '%PDF-1.4\n' },
  { ext: 'jpg', type: 'image/jpeg', magic: '\xff\xd8\xff\xe0\x00\x10JFIF\x00' },
  { ext: 'txt', type: 'text/plain', magic: 'Scan log\n' },
]

interface Part {
  fileName: string
  data: Buffer
}

/** A multipart/mixed e-mail as a mail program writes it: text and HTML first, then the files, base64 in 76-character lines. */
function messageWith(id: string, parts: Part[], text: string): Buffer {
  const boundary = `----=_Part_${id}`
  const alt = `----=_Alt_${id}`
  const lines = [
    'From: Noor Customer <noor@customer.example>',
    'To: help@acme.example',
    `Subject: Scans for claim ${id}`,
    `Message-ID: <${id}@customer.example>`,
    'Date: Tue, 1 Dec 2026 10:00:00 +0100',
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    'This is a multi-part message in MIME format.',
    `--${boundary}`,
    `Content-Type: multipart/alternative; boundary="${alt}"`,
    '',
    `--${alt}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    text,
    `--${alt}`,
    'Content-Type: text/html; charset=utf-8',
    '',
    `<div>${text}</div>`,
    `--${alt}--`,
  ]
  const chunks = [Buffer.from(lines.join('\r\n') + '\r\n', 'utf8')]
  for (const p of parts) {
    const t = TYPES.find((x) => p.fileName.endsWith(x.ext)) ?? TYPES[0]!
    const b64 = p.data.toString('base64').replace(/.{76}/g, '$&\r\n')
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Type: ${t.type}; name="${p.fileName}"\r\nContent-Disposition: attachment; filename="${p.fileName}"\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64}\r\n`,
        'latin1',
      ),
    )
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return Buffer.concat(chunks)
}

/** Files with unique contents (content-addressed storage would merge equal ones). */
function files(count: number, size: (i: number) => number, name: (i: number) => string): Part[] {
  return Array.from({ length: count }, (_, i) => {
    const t = TYPES[i % TYPES.length]!
    return { fileName: name(i), data: Buffer.concat([Buffer.from(t.magic, 'latin1'), randomBytes(Math.max(0, size(i) - t.magic.length))]) }
  })
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

describe('an e-mail with hundreds of attachments', () => {
  let app: TestApp
  const figures: string[] = []
  beforeAll(async () => {
    app = await startTestApp()
    // One small e-mail first, so that the figures measure the attachments, not the first run's warm-up.
    await receiveRawMessage(app.ctx.domain, {
      source: 'smtp',
      raw: messageWith(
        'warm-up',
        files(
          3,
          () => 1_000,
          (i) => `w${i}.pdf`,
        ),
        'Warm-up.',
      ),
      envelopeTo: ['help@acme.example'],
    })
  })
  afterAll(async () => {
    if (figures.length) console.log(`Many attachments, ingest time and memory:\n  ${figures.join('\n  ')}`)
    await app?.close()
  })

  /** Runs the intake and measures its time and the process's peak resident memory while it runs. */
  async function ingest(raw: Buffer, label: string) {
    global.gc?.()
    const rssBefore = process.memoryUsage().rss
    let peak = rssBefore
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5)
    const started = performance.now()
    const result = await receiveRawMessage(app.ctx.domain, { source: 'smtp', raw, envelopeFrom: 'noor@customer.example', envelopeTo: ['help@acme.example'] })
    const ms = performance.now() - started
    clearInterval(sampler)
    peak = Math.max(peak, process.memoryUsage().rss)
    figures.push(
      `${label}: ${(raw.length / 1024 / 1024).toFixed(1)} MB raw, ${Math.round(ms)} ms, peak RSS ${Math.round(peak / 1024 / 1024)} MB (+${Math.round((peak - rssBefore) / 1024 / 1024)} MB)`,
    )
    return result
  }

  const scans = () =>
    files(
      330,
      (i) => 2_000 + ((i * 7919) % 12_000),
      (i) => `scan-${String(i + 1).padStart(3, '0')}.${TYPES[i % 3]!.ext}`,
    )

  async function stored(inboundId: number) {
    const prisma = app.ctx.db.prisma
    const row = await prisma.inboundMessage.findUniqueOrThrow({ where: { id: inboundId } })
    const message = await prisma.message.findFirst({ where: { inboundId }, include: { attachments: { orderBy: { id: 'asc' } } } })
    return { row, message }
  }

  it('stores all 330 attachments of a real-sized e-mail with its text, in one go', async () => {
    // A few KB each, as scans and photos of receipts come: about 2.5 MB in all.
    const parts = scans()
    const raw = messageWith('many-330', parts, 'Here are all the scans you asked for, claim 4471.')
    // The files are written in a few statements, not three per file (which kept the transaction
    // open past its time limit): the count does not grow with the number of files.
    const {
      result: { id, outcome },
      count,
      statements,
    } = await countQueries(app, () => ingest(raw, '330 attachments'), { ignore: BACKGROUND_STATEMENTS })
    figures.push(`330 attachments: ${count} SQL statements`)
    expect(count, statements.map((st) => st.text.slice(0, 80)).join('\n')).toBeLessThan(60)
    expect(outcome).toMatchObject({ status: 'processed' })
    const { row, message } = await stored(id)
    expect(row.status).toBe('processed')
    expect(Buffer.from(row.raw).equals(raw)).toBe(true)
    expect(message!.bodyText).toContain('Here are all the scans you asked for, claim 4471.')
    expect(message!.bodyText).not.toContain('kept in the original')
    expect(message!.attachments.map((a) => a.fileName)).toEqual(parts.map((p) => p.fileName))
    expect(message!.attachments.map((a) => a.size)).toEqual(parts.map((p) => p.data.length))
    // Every file's bytes are stored as they were sent.
    const blobs = await app.ctx.db.prisma.blob.findMany({ where: { sha256: { in: message!.attachments.map((a) => a.blobSha256) } }, select: { sha256: true } })
    expect(new Set(blobs.map((b) => b.sha256))).toEqual(new Set(parts.map((p) => sha(p.data))))
    const history = await app.ctx.db.prisma.historyEvent.count({ where: { conversationId: message!.conversationId, type: 'attachment.added' } })
    expect(history).toBe(330)
  })

  it('delivers the text of an e-mail with 1,000 tiny attachments, stores the first ones and names the rest', async () => {
    const parts = files(
      1000,
      () => 40,
      (i) => `tiny-${String(i + 1).padStart(4, '0')}.txt`,
    )
    const raw = messageWith('many-1000', parts, 'One thousand log files from the kiosk, sorry.')
    const { id, outcome } = await ingest(raw, '1,000 attachments')
    expect(outcome).toMatchObject({ status: 'processed' })
    const { row, message } = await stored(id)
    expect(row.status).toBe('processed')
    expect(Buffer.from(row.raw).equals(raw)).toBe(true)
    expect(message!.bodyText).toContain('One thousand log files from the kiosk, sorry.')
    const kept = parts.slice(0, ATTACHMENTS_PER_MESSAGE_MAX)
    const left = parts.slice(ATTACHMENTS_PER_MESSAGE_MAX)
    expect(message!.attachments.map((a) => a.fileName)).toEqual(kept.map((p) => p.fileName))
    // Nothing of the others is stored: no rows, no history lines.
    expect(await app.ctx.db.prisma.attachment.count({ where: { conversationId: message!.conversationId } })).toBe(kept.length)
    expect(await app.ctx.db.prisma.historyEvent.count({ where: { conversationId: message!.conversationId, type: 'attachment.added' } })).toBe(kept.length)
    // The note says how many were left out and where they are, and names them.
    expect(message!.bodyText).toContain(`${left.length} more attachments`)
    expect(message!.bodyText).toContain('kept in the original e-mail')
    expect(message!.bodyText).toContain(left[0]!.fileName)
    expect(message!.bodyText).toContain(left.at(-1)!.fileName)
    expect(message!.bodyHtml).toContain(`${left.length} more attachments`)
  })

  it('reads an e-mail with more parts than are read up to that point: the text, the first files, the rest named', async () => {
    const parts = files(
      5000,
      () => 30,
      (i) => `log-${String(i + 1).padStart(4, '0')}.txt`,
    )
    const raw = messageWith('many-5000', parts, 'Five thousand parts, the text comes first.')
    const { id, outcome } = await ingest(raw, '5,000 attachments')
    expect(outcome).toMatchObject({ status: 'processed' })
    const { row, message } = await stored(id)
    expect(row.status).toBe('processed')
    expect(message!.bodyText).toContain('Five thousand parts, the text comes first.')
    expect(message!.attachments.map((a) => a.fileName)).toEqual(parts.slice(0, ATTACHMENTS_PER_MESSAGE_MAX).map((p) => p.fileName))
    expect(message!.bodyText).toContain('kept in the original e-mail')
    expect(message!.bodyText).toContain(`“log-${String(ATTACHMENTS_PER_MESSAGE_MAX + 1).padStart(4, '0')}.txt”`)
    expect(message!.bodyText).toContain('“log-5000.txt”')
  })

  it('leaves an e-mail whose transaction runs out of time waiting, with nothing stored, and stores it whole on the retry', async () => {
    const prisma = app.ctx.db.prisma
    // A database too slow for the transaction's time limit: each transaction's work starts late.
    const slow = new Proxy(prisma, {
      get(target, key) {
        if (key === '$transaction') {
          return (fn: (tx: unknown) => Promise<unknown>) =>
            target.$transaction(
              async (tx) => {
                await new Promise((resolve) => setTimeout(resolve, 300))
                return fn(tx)
              },
              { timeout: 100 },
            )
        }
        const value = Reflect.get(target, key, target) as unknown
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
      },
    })
    const ctx: DomainContext = { ...app.ctx.domain, prisma: slow }
    const parts = scans()
    const raw = messageWith('many-330-slow', parts, 'Scans again, the database was slow.')
    const counts = async () => ({
      messages: await prisma.message.count(),
      attachments: await prisma.attachment.count(),
      blobs: await prisma.blob.count(),
      history: await prisma.historyEvent.count(),
      conversations: await prisma.conversation.count(),
    })
    const before = await counts()
    const { id, outcome } = await receiveRawMessage(ctx, { source: 'smtp', raw, envelopeFrom: 'noor@customer.example', envelopeTo: ['help@acme.example'] })
    expect(outcome.status).toBe('deferred')
    expect((await prisma.inboundMessage.findUniqueOrThrow({ where: { id } })).status).toBe('received')
    expect(await counts()).toEqual(before)

    // The recovery pass processes it again, the database now in time.
    expect(await processInboundMessage(app.ctx.domain, id)).toMatchObject({ status: 'processed' })
    const { message } = await stored(id)
    expect(message!.bodyText).toContain('Scans again, the database was slow.')
    expect(message!.attachments).toHaveLength(330)
  })
})
