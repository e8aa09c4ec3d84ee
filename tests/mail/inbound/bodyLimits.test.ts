import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { boundBody, HTML_SHOWN_MAX, roughText, TEXT_SHOWN_MAX } from '../../../src/mail/inbound/bodyLimits.ts'
import { receiveRawMessage } from '../../../src/mail/inbound/intake.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

const para = '<p style="color:red">Hello <b>world</b> &amp; <a href="https://example.com/x">a link</a>, more words to fill the line.</p>\r\n'
const bigHtml = (bytes: number) => para.repeat(Math.ceil(bytes / para.length))

describe('how much of a body is shown', () => {
  it('shows HTML and text up to the limits unchanged', () => {
    const html = bigHtml(HTML_SHOWN_MAX - 1_000)
    expect(boundBody({ html, text: 'short' })).toEqual({ html, text: 'short', files: [], notes: [] })
  })

  it('attaches HTML over the limit and shows a plain version of it, the entities decoded', () => {
    const html = `<style>p { color: red }</style>${bigHtml(HTML_SHOWN_MAX + 10_000)}`
    const out = boundBody({ html, text: '' })
    expect(out.html).toBeNull()
    expect(out.files.map((f) => f.fileName)).toEqual(['message.html'])
    expect(out.files[0]!.data.toString()).toBe(html)
    expect(out.text.startsWith('Hello world & a link, more words to fill the line.')).toBe(true)
    expect(out.text).not.toContain('<')
    expect(out.text).not.toContain('color: red')
    expect(out.notes[0]).toMatch(/too large to show; it is attached as message\.html/)
  })

  it('keeps the text part of a multipart e-mail whose HTML is too large', () => {
    const out = boundBody({ html: bigHtml(HTML_SHOWN_MAX + 1), text: 'The plain part.' })
    expect(out.text).toBe('The plain part.')
    expect(out.files.map((f) => f.fileName)).toEqual(['message.html'])
  })

  it('cuts a long text and attaches all of it; NUL characters (which PostgreSQL refuses) are dropped', () => {
    const text = `a\u0000b ${'x'.repeat(TEXT_SHOWN_MAX + 50)}`
    const out = boundBody({ html: '<p>a\u0000b</p>', text })
    expect(out.html).toBe('<p>ab</p>')
    expect(out.text.length).toBe(TEXT_SHOWN_MAX + 1)
    expect(out.text.startsWith('ab x')).toBe(true)
    expect(out.files[0]!.fileName).toBe('message.txt')
    expect(out.files[0]!.data.length).toBe(text.length - 1)
  })
})

describe('the plain version of a huge HTML body', () => {
  // Linear time on inputs made to make patterns backtrack (the test's time limit is the guard:
  // the first version took minutes on a megabyte of "<").
  it.each([
    ['unclosed angle brackets', '<'.repeat(1_000_000), 1_000_000],
    ['unclosed scripts', '<script>'.repeat(120_000), 0],
    ['many closed styles', '<style>x</style>'.repeat(60_000), 0],
    ['unclosed line breaks', '<br'.repeat(300_000), 900_000],
    ['blank lines with carriage returns', '\n\r'.repeat(400_000), 0],
  ])('%s', (_name, html, length) => {
    expect(roughText(html).length).toBe(length)
  })

  it('keeps the words and line breaks, not the markup', () => {
    expect(roughText('<div>One<br>two</div><script>alert(1)</script><p>three &lt;4&gt;</p>')).toBe('One\ntwo\nthree <4>')
  })
})

describe('a very large e-mail through the intake', () => {
  let app: TestApp
  beforeAll(async () => {
    app = await startTestApp()
  })
  afterAll(async () => {
    await app.stop()
  })

  it('is stored with its HTML attached, a readable body, and nothing lost', async () => {
    const html = bigHtml(3 * 1024 * 1024)
    const raw = Buffer.from(
      `From: Big Sender <big@example.org>\r\nTo: support@localhost\r\nSubject: A very long newsletter\r\nMessage-ID: <big-1@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${html}`,
    )
    const { outcome } = await receiveRawMessage(app.ctx.domain, { source: 'http', raw, envelopeTo: ['support@localhost'] })
    expect(outcome.status).toBe('processed')
    const message = await app.ctx.db.prisma.message.findFirstOrThrow({ where: { emailMessageId: '<big-1@example.org>' }, include: { attachments: true } })
    expect(message.attachments.map((a) => a.fileName).sort()).toEqual(['message.html', 'message.txt'])
    expect(message.bodyText).toContain('Hello world & a link')
    expect(message.bodyText).toContain('too large to show')
    expect(message.bodyHtml.length).toBeLessThan(HTML_SHOWN_MAX * 2)
    const stored = await app.ctx.db.prisma.attachment.findFirstOrThrow({ where: { messageId: message.id, fileName: 'message.html' }, select: { size: true } })
    // The whole HTML as the e-mail carried it (line ends as the parser gives them).
    expect(stored.size).toBe(Buffer.byteLength(html.replace(/\r\n/g, '\n')))
  }, 60_000)
})
