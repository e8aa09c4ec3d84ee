import net from 'node:net'
import nodemailer from 'nodemailer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

/** An SMTP session by hand: sends each line and collects every reply (multi-line replies joined). */
async function dialogue(port: number, lines: (string | { data: string })[]): Promise<string[]> {
  const socket = net.connect(port, '127.0.0.1')
  const replies: string[] = []
  let buffer = ''
  let current: string[] = []
  let waiting: ((reply: string) => void) | null = null
  socket.on('data', (d) => {
    buffer += d.toString('latin1')
    let i
    while ((i = buffer.indexOf('\r\n')) >= 0) {
      const line = buffer.slice(0, i)
      buffer = buffer.slice(i + 2)
      current.push(line)
      if (/^\d{3} /.test(line)) {
        const reply = current.join('\n')
        current = []
        waiting?.(reply)
      }
    }
  })
  const next = () => new Promise<string>((resolve) => (waiting = resolve))
  replies.push(await next())
  for (const line of lines) {
    const reply = next()
    socket.write(typeof line === 'string' ? `${line}\r\n` : line.data)
    replies.push(await reply)
  }
  socket.end()
  return replies
}

/**
 * The listener's answers carry RFC 3463 enhanced status codes, so the MTA in front reports what
 * happened (Postfix logs dsn=5.1.1 for an unknown address instead of dsn=5.0.0).
 */
describe('the SMTP listener’s enhanced status codes', () => {
  let app: TestApp
  let port: number
  beforeAll(async () => {
    app = await startTestApp({ MAIL_FROM: 'Help <help@desk.example>', INBOUND_MAX_BYTES: '20000' })
    port = app.smtpPort!
  })
  afterAll(async () => {
    await app?.close()
  })

  it('advertises ENHANCEDSTATUSCODES and uses them in every reply of a transaction', async () => {
    const replies = await dialogue(port, [
      'EHLO relay.example',
      'MAIL FROM:<a@example.org>',
      'RCPT TO:<help@desk.example>',
      'RCPT TO:<nobody@elsewhere.example>',
      'DATA',
      { data: 'From: a@example.org\r\nSubject: codes\r\n\r\nhello\r\n.\r\n' },
      'QUIT',
    ])
    expect(replies[0]).toMatch(/^220 /)
    expect(replies[1]).toMatch(/^250-ENHANCEDSTATUSCODES$/m)
    expect(replies[2]).toMatch(/^250 2\.1\.0 /)
    expect(replies[3]).toMatch(/^250 2\.1\.5 /)
    expect(replies[4]).toMatch(/^550 5\.1\.1 No such mailbox here: nobody@elsewhere\.example$/)
    expect(replies[5]).toMatch(/^354 /)
    expect(replies[6]).toMatch(/^250 2\.6\.0 /)
    expect(replies[7]).toMatch(/^221 2\.0\.0 /)
  })

  it('too many recipients: 452 4.5.3', async () => {
    const many = Array.from({ length: 51 }, (_, i) => `RCPT TO:<help+${i}@desk.example>`)
    const replies = await dialogue(port, ['EHLO relay.example', 'MAIL FROM:<a@example.org>', ...many, 'QUIT'])
    expect(replies.filter((r) => r.startsWith('250 2.1.5'))).toHaveLength(50)
    expect(replies[replies.length - 2]).toMatch(/^452 4\.5\.3 /)
  })

  it('a message too large, declared or sent: 552 5.3.4', async () => {
    const declared = await dialogue(port, ['EHLO relay.example', 'MAIL FROM:<a@example.org> SIZE=999999', 'QUIT'])
    expect(declared[2]).toMatch(/^552 5\.3\.4 /)
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true })
    await expect(transport.sendMail({ from: 'a@example.org', to: 'help@desk.example', subject: 'big', text: 'x'.repeat(30_000) })).rejects.toMatchObject({
      responseCode: 552,
      response: expect.stringMatching(/^552 5\.3\.4 /),
    })
    expect(await app.ctx.db.prisma.inboundMessage.count({ where: { subject: 'big' } })).toBe(0)
  })

  it('a message that cannot be committed: 451 4.3.0', async () => {
    const prisma = app.ctx.db.prisma
    await prisma.$executeRawUnsafe(`ALTER TABLE inbound_messages ADD CONSTRAINT outage CHECK (size < 0) NOT VALID`)
    try {
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true })
      await expect(transport.sendMail({ from: 'a@example.org', to: 'help@desk.example', subject: 'outage', text: 'x' })).rejects.toMatchObject({
        responseCode: 451,
        response: expect.stringMatching(/^451 4\.3\.0 /),
      })
    } finally {
      await prisma.$executeRawUnsafe(`ALTER TABLE inbound_messages DROP CONSTRAINT outage`)
    }
  })
})
