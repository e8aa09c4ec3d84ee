import net from 'node:net'
import nodemailer from 'nodemailer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { INBOUND_BODY_IDLE_MS } from '../../../src/web/inbound/routes.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

/** Speaks SMTP by hand, to see the listener's exact answers. */
async function smtpDialogue(port: number, lines: string[]): Promise<string[]> {
  const socket = net.connect(port, '127.0.0.1')
  const replies: string[] = []
  let buffer = ''
  let waiting: ((line: string) => void) | null = null
  socket.on('data', (d) => {
    buffer += d.toString()
    let i
    while ((i = buffer.indexOf('\r\n')) >= 0) {
      const line = buffer.slice(0, i)
      buffer = buffer.slice(i + 2)
      if (/^\d{3} /.test(line)) waiting?.(line)
    }
  })
  const next = () => new Promise<string>((resolve) => (waiting = resolve))
  replies.push(await next())
  for (const line of lines) {
    socket.write(`${line}\r\n`)
    if (line === 'DATA' || !line.startsWith('.') || line === '.') {
      if (line.startsWith('Subject') || line === '' || line.startsWith('hello')) continue
      replies.push(await next())
    }
  }
  socket.end()
  return replies
}

describe('the SMTP listener', () => {
  let app: TestApp
  let port: number
  beforeAll(async () => {
    app = await startTestApp({ MAIL_FROM: 'Help <help@desk.example>', INBOUND_ADDRESSES: 'sales@desk.example,@support.example', INBOUND_MAX_BYTES: '20000' })
    port = app.smtpPort!
  })
  afterAll(async () => {
    await app?.close()
  })

  const transport = () => nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, tls: { rejectUnauthorized: false } })

  it('accepts a customer e-mail, commits it before answering 250, and opens a conversation', async () => {
    const info = await transport().sendMail({
      from: 'Marie Curie <marie@example.org>',
      to: 'help@desk.example',
      subject: 'Radium order',
      text: 'Where is my order?',
      messageId: '<order-1@example.org>',
    })
    expect(info.response).toMatch(/^250/)
    // Answered 250: the row exists now, not later.
    const row = await app.ctx.db.prisma.inboundMessage.findFirstOrThrow({ where: { envelopeFrom: 'marie@example.org' } })
    expect(row.source).toBe('smtp')
    expect(row.envelopeTo).toEqual(['help@desk.example'])
    await app.ctx.intake.drain()
    const conversation = await app.ctx.db.prisma.conversation.findFirstOrThrow({
      where: { subject: 'Radium order' },
      include: { customer: true, messages: true },
    })
    expect(conversation).toMatchObject({ status: 'new', channel: 'email' })
    expect(conversation.customer).toMatchObject({ email: 'marie@example.org', name: 'Marie Curie' })
    expect(conversation.messages[0]).toMatchObject({ kind: 'customer', emailMessageId: '<order-1@example.org>' })
  })

  it('accepts configured addresses, whole domains and plus-addresses, and refuses to relay anywhere else', async () => {
    for (const to of ['sales@desk.example', 'anyone@support.example', 'help+c1-abc@desk.example']) {
      await expect(transport().sendMail({ from: 'a@example.org', to, subject: `to ${to}`, text: 'hello' })).resolves.toMatchObject({ accepted: [to] })
    }
    await expect(transport().sendMail({ from: 'a@example.org', to: 'victim@elsewhere.example', subject: 'relay?', text: 'x' })).rejects.toMatchObject({
      responseCode: 550,
    })
    expect(await app.ctx.db.prisma.inboundMessage.count({ where: { subject: 'relay?' } })).toBe(0)
  })

  it('refuses a message over the size limit, declared or not', async () => {
    await expect(transport().sendMail({ from: 'a@example.org', to: 'help@desk.example', subject: 'big', text: 'x'.repeat(30_000) })).rejects.toMatchObject({
      responseCode: 552,
    })
    const replies = await smtpDialogue(port, ['EHLO test', 'MAIL FROM:<a@example.org> SIZE=999999', 'QUIT'])
    expect(replies[2]).toMatch(/^552/)
  })

  it('limits recipients per message', async () => {
    const many = Array.from({ length: 51 }, (_, i) => `user${i}@support.example`)
    const info = await transport().sendMail({ from: 'a@example.org', to: many, subject: 'many', text: 'x' })
    expect(info.accepted).toHaveLength(50)
    expect(info.rejectedErrors?.[0]).toMatchObject({ responseCode: 452 })
  })

  it('turns away a flood of connections from one address', async () => {
    // Let the earlier tests' connections close first.
    await new Promise((r) => setTimeout(r, 500))
    const sockets: net.Socket[] = []
    const greetings = await Promise.all(
      Array.from({ length: 14 }, () => {
        const s = net.connect(port, '127.0.0.1')
        sockets.push(s)
        return new Promise<string>((resolve) => s.once('data', (d) => resolve(d.toString())))
      }),
    )
    for (const s of sockets) s.destroy()
    expect(greetings.filter((g) => g.startsWith('220')).length).toBe(10)
    expect(greetings.filter((g) => g.startsWith('421')).length).toBe(4)
    // Once they are gone the address is welcome again.
    await new Promise((r) => setTimeout(r, 200))
    await expect(transport().sendMail({ from: 'a@example.org', to: 'help@desk.example', subject: 'after flood', text: 'x' })).resolves.toBeTruthy()
  })

  it('answers 451 when the message cannot be committed, so the sender retries', async () => {
    const prisma = app.ctx.db.prisma
    // Make the insert fail as a database outage would, then heal it.
    await prisma.$executeRawUnsafe(`ALTER TABLE inbound_messages ADD CONSTRAINT outage CHECK (size < 0) NOT VALID`)
    try {
      await expect(transport().sendMail({ from: 'a@example.org', to: 'help@desk.example', subject: 'during outage', text: 'x' })).rejects.toMatchObject({
        responseCode: 451,
      })
    } finally {
      await prisma.$executeRawUnsafe(`ALTER TABLE inbound_messages DROP CONSTRAINT outage`)
    }
    await expect(transport().sendMail({ from: 'a@example.org', to: 'help@desk.example', subject: 'during outage', text: 'x' })).resolves.toMatchObject({
      response: expect.stringMatching(/^250/),
    })
    expect(await prisma.inboundMessage.count({ where: { envelopeFrom: 'a@example.org', size: { gt: 0 } } })).toBeGreaterThan(0)
  })
})

describe('POST /inbound/raw', () => {
  let app: TestApp
  beforeAll(async () => {
    app = await startTestApp({ INBOUND_SECRET: 'a-long-shared-secret-value' })
  })
  afterAll(async () => {
    await app?.close()
  })

  const raw = 'From: Ada <ada@example.org>\r\nTo: support@localhost\r\nSubject: Via HTTP\r\nMessage-ID: <http-1@example.org>\r\n\r\nHello over HTTP\r\n'

  it('takes a raw message with the shared secret and answers 202 once it is stored', async () => {
    const { default: request } = await import('supertest')
    const res = await request(app.url)
      .post('/inbound/raw')
      .set('Authorization', 'Bearer a-long-shared-secret-value')
      .set('Content-Type', 'message/rfc822')
      .send(raw)
    expect(res.status).toBe(202)
    const row = await app.ctx.db.prisma.inboundMessage.findUniqueOrThrow({ where: { id: res.body.id } })
    expect(Buffer.from(row.raw).toString()).toBe(raw)
    await app.ctx.intake.drain()
    expect(await app.ctx.db.prisma.conversation.count({ where: { subject: 'Via HTTP' } })).toBe(1)
  })

  it('refuses a wrong or missing secret and stores nothing', async () => {
    const { default: request } = await import('supertest')
    const before = await app.ctx.db.prisma.inboundMessage.count()
    expect((await request(app.url).post('/inbound/raw').set('Content-Type', 'message/rfc822').send(raw)).status).toBe(401)
    expect((await request(app.url).post('/inbound/raw').set('Authorization', 'Bearer wrong').set('Content-Type', 'message/rfc822').send(raw)).status).toBe(401)
    expect(await app.ctx.db.prisma.inboundMessage.count()).toBe(before)
  })

  it('refuses a wrong secret before reading the body: a declared 20 MB that never comes is answered at once', async () => {
    const answer = await rawPost(app.url, { authorization: 'Bearer wrong', contentLength: 20 * 1024 * 1024, body: 'x' })
    expect(answer.status).toBe(401)
    expect(answer.ms).toBeLessThan(INBOUND_BODY_IDLE_MS)
  })

  it('cuts off a body that stops arriving and stores nothing', async () => {
    const before = await app.ctx.db.prisma.inboundMessage.count()
    const answer = await rawPost(app.url, { authorization: 'Bearer a-long-shared-secret-value', contentLength: 20 * 1024 * 1024, body: 'x' })
    expect(answer.status).toBe(408)
    expect(await app.ctx.db.prisma.inboundMessage.count()).toBe(before)
  }, 30_000)
})

describe('POST /inbound/raw without INBOUND_SECRET', () => {
  let app: TestApp
  beforeAll(async () => {
    app = await startTestApp()
  })
  afterAll(async () => {
    await app?.close()
  })

  it('does not exist: nothing is read or stored, whatever the headers', async () => {
    const { default: request } = await import('supertest')
    const res = await request(app.url)
      .post('/inbound/raw')
      .set('Authorization', 'Bearer anything')
      .set('Content-Type', 'message/rfc822')
      .send('From: a@example.org\r\n\r\nhi\r\n')
    expect(res.status).not.toBe(202)
    expect(res.status).toBeGreaterThanOrEqual(400)
    const slow = await rawPost(app.url, { authorization: 'Bearer anything', contentLength: 20 * 1024 * 1024, body: 'x' })
    expect(slow.status).toBeGreaterThanOrEqual(400)
    expect(await app.ctx.db.prisma.inboundMessage.count()).toBe(0)
  })
})

/** A raw HTTP request that declares contentLength bytes and sends only `body`; resolves with the answer. */
async function rawPost(url: string, options: { authorization: string; contentLength: number; body: string }): Promise<{ status: number; ms: number }> {
  const { request: httpRequest } = await import('node:http')
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${url}/inbound/raw`,
      { method: 'POST', headers: { authorization: options.authorization, 'content-type': 'message/rfc822', 'content-length': String(options.contentLength) } },
      (res) => {
        res.resume()
        resolve({ status: res.statusCode ?? 0, ms: Date.now() - started })
        req.destroy()
      },
    )
    req.on('error', (err) => (Date.now() - started > 0 ? reject(err) : undefined))
    req.write(options.body)
  })
}
