import { asCustomer } from '../../../../src/domain/actor.ts'
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../../src/domain/actor.ts'
import { addCustomerMessage } from '../../../../src/domain/conversations/commands/addCustomerMessage.ts'
import { ADMIN, csrfFrom, setUpAndSignIn, signIn, startTestApp, type TestApp } from '../../../helpers/testApp.ts'
import { buildAgent, buildConversation, buildFolder, buildTag, PASSWORD } from '../../../helpers/factories.ts'

type Client = Awaited<ReturnType<typeof setUpAndSignIn>>
type Folder = Awaited<ReturnType<typeof buildFolder>>

// A 1×1 PNG, as the editor puts a pasted picture into the HTML.
const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n')

/** The numbers of the conversations a list page shows, in order. */
function rowNumbers(html: string): number[] {
  return [...html.matchAll(/class="row-link" href="\/conversations\/(\d+)"/g)].map((m) => Number(m[1]))
}

/** The count a list page shows on one tab. */
function tabCount(html: string, label: string): number {
  const m = new RegExp(`>${label} <span class="count" aria-label="(\\d+) conversations?">`).exec(html)
  if (!m) throw new Error(`no "${label}" tab on the page`)
  return Number(m[1])
}

/** The thread part of a conversation page (messages only, no editor, no sidebar). */
function threadOf(html: string): string {
  const m = /<ol class="thread"[^>]*>([\s\S]*?)<\/ol>\s*<form/.exec(html)
  if (!m) throw new Error('no thread on the page')
  return m[1]!
}

/** The history timeline of the sidebar. */
function historyOf(html: string): string {
  const m = /<ol class="history">([\s\S]*?)<\/ol>/.exec(html)
  if (!m) throw new Error('no history on the page')
  return m[1]!
}

const decode = (href: string) => href.replace(/&amp;/g, '&')

describe('agents working on conversations through the browser', () => {
  let app: TestApp
  let admin: Client
  let adminActor: Actor
  let token: string
  let general: Folder

  const prisma = () => app.ctx.db.prisma

  beforeAll(async () => {
    app = await startTestApp()
    admin = await setUpAndSignIn(app)
    const row = await prisma().agent.findUniqueOrThrow({ where: { email: ADMIN.email } })
    adminActor = { id: row.id, name: row.name, email: row.email, role: row.role }
    general = await prisma().folder.findFirstOrThrow({ orderBy: { id: 'asc' } })
    token = csrfFrom((await admin.get('/conversations')).text)
  })
  afterAll(async () => {
    await app?.close()
  })

  /** Posts the reply form of a conversation (multipart, as the page sends it). */
  function postMessage(client: Client, csrf: string, number: number, fields: Record<string, string>, files: { data: Buffer; name: string }[] = []) {
    let req = client.post(`/conversations/${number}/messages`).field('_csrf', csrf)
    for (const [k, v] of Object.entries(fields)) req = req.field(k, v)
    for (const f of files) req = req.attach('files', f.data, f.name)
    return req
  }

  /** Posts the new-conversation form (multipart, as the page sends it). */
  function postNewConversation(fields: Record<string, string>, files: { data: Buffer; name: string }[] = []) {
    let req = admin.post('/conversations').field('_csrf', token)
    for (const [k, v] of Object.entries(fields)) req = req.field(k, v)
    for (const f of files) req = req.attach('files', f.data, f.name)
    return req
  }

  function numberFrom(location: string | undefined): number {
    const m = /^\/conversations\/(\d+)$/.exec(location ?? '')
    if (!m) throw new Error(`unexpected redirect to ${location}`)
    return Number(m[1])
  }

  /** A conversation in the General folder, made by the admin through the real command. */
  async function newConversation(options: Omit<Parameters<typeof buildConversation>[2], 'folderId'> & { folderId?: number } = {}) {
    return buildConversation(app.ctx.domain, adminActor, { ...options, folderId: options.folderId ?? general.id })
  }

  describe('creating a conversation', () => {
    it('in "send" mode writes to the customer: the conversation is pending and an e-mail numbered [#n] waits in the outbox', async () => {
      const form = await admin.get('/conversations/new')
      expect(form.status).toBe(200)
      const res = await postNewConversation({
        mode: 'send',
        customerEmail: 'Nora.Send@Example.com',
        customerName: 'Nora Send',
        subject: 'Your replacement part',
        folderId: String(general.id),
        text: 'Your replacement part left our warehouse today.',
      })
      expect(res.status).toBe(303)
      const number = numberFrom(res.headers.location)
      const conversation = await prisma().conversation.findUniqueOrThrow({ where: { number }, include: { customer: true, messages: true } })
      expect(conversation.status).toBe('pending')
      expect(conversation.channel).toBe('agent')
      expect(conversation.customer.email).toBe('nora.send@example.com')
      expect(conversation.messages).toHaveLength(1)
      expect(conversation.messages[0]!.kind).toBe('agent')
      const outbox = await prisma().outboxEmail.findMany({ where: { conversationId: conversation.id } })
      expect(outbox).toHaveLength(1)
      expect(outbox[0]!.kind).toBe('agent_reply')
      expect(outbox[0]!.toAddress).toBe('nora.send@example.com')
      expect(outbox[0]!.subject).toContain(`[#${number}]`)
      expect(outbox[0]!.text).toContain('Your replacement part left our warehouse today.')

      const page = await admin.get(`/conversations/${number}`)
      expect(page.status).toBe(200)
      expect(page.text).toContain('Sent to the customer.')
      expect(threadOf(page.text)).toContain('Your replacement part left our warehouse today.')
    })

    it('in "record" mode notes the customer’s request: the conversation is new and nothing is sent to the customer', async () => {
      const res = await postNewConversation({
        mode: 'record',
        customerEmail: 'rita.record@example.com',
        customerName: 'Rita Record',
        subject: 'Phoned about her invoice',
        folderId: String(general.id),
        text: 'She says invoice 2231 is charged twice.',
      })
      expect(res.status).toBe(303)
      const number = numberFrom(res.headers.location)
      const conversation = await prisma().conversation.findUniqueOrThrow({ where: { number }, include: { messages: true } })
      expect(conversation.status).toBe('new')
      expect(conversation.messages.map((m) => m.kind)).toEqual(['customer'])
      expect(await prisma().outboxEmail.count({ where: { conversationId: conversation.id } })).toBe(0)
      expect(await prisma().outboxEmail.count({ where: { toAddress: 'rita.record@example.com' } })).toBe(0)
    })

    it('refuses a malformed form with 400, names each wrong field, and writes nothing', async () => {
      const before = {
        conversations: await prisma().conversation.count(),
        customers: await prisma().customer.count(),
        outbox: await prisma().outboxEmail.count(),
      }
      const res = await postNewConversation({
        mode: 'send',
        customerEmail: 'not an address',
        customerName: 'Malformed Mona',
        subject: '   ',
        folderId: String(general.id),
        text: 'A body that must be kept on the page.',
      })
      expect(res.status).toBe(400)
      expect(res.text).toContain('“not an address” is not an e-mail address: it has no @.')
      expect(res.text).toContain('Enter a subject')
      expect(res.text).toContain('id="customerEmail-error"')
      expect(res.text).toContain('id="subject-error"')
      expect(res.text).toContain('A body that must be kept on the page.')
      expect(await prisma().conversation.count()).toBe(before.conversations)
      expect(await prisma().customer.count()).toBe(before.customers)
      expect(await prisma().outboxEmail.count()).toBe(before.outbox)
    })

    it('says what is wrong with a bad address, quoting it, and names the chosen files to choose again', async () => {
      const count = await prisma().conversation.count()
      const res = await postNewConversation(
        { mode: 'send', customerEmail: 'bob@', subject: 'Subject to keep', folderId: String(general.id), text: 'Body to keep' },
        [
          { data: PDF, name: 'invoice.pdf' },
          { data: Buffer.from(PNG_BASE64, 'base64'), name: 'photo.png' },
        ],
      )
      expect(res.status).toBe(400)
      expect(/<p class="field-error" id="customerEmail-error">([^<]*)<\/p>/.exec(res.text)?.[1]).toBe('“bob@” is not a complete e-mail address.')
      expect(res.text).not.toContain('Enter the customer’s e-mail address')
      // A browser cannot refill a file input: the page says so, naming the files.
      expect(res.text).toMatch(/<input id="files" name="files" type="file" multiple aria-describedby="files-error">/)
      expect(/<p class="field-error" id="files-error">([^<]*)<\/p>/.exec(res.text)?.[1]).toBe(
        'Choose “invoice.pdf” and “photo.png” again: a form that is refused cannot keep its files.',
      )
      expect(res.text).toContain('value="Subject to keep"')
      expect(res.text).toContain('Body to keep')
      expect(res.text).toContain('value="bob@"')
      expect(await prisma().conversation.count()).toBe(count)

      // Without files, nothing is said about them.
      const plain = await postNewConversation({ mode: 'send', customerEmail: 'bob', subject: 'No files', folderId: String(general.id), text: 'Body' })
      expect(plain.status).toBe(400)
      expect(plain.text).toContain('“bob” is not an e-mail address: it has no @.')
      expect(plain.text).not.toContain('id="files-error"')
    })

    it('notifies the assignee by e-mail with a link to the conversation', async () => {
      const assignee = await buildAgent(prisma(), { folderIds: [general.id], name: 'Ines Assignee' })
      const res = await postNewConversation({
        mode: 'record',
        customerEmail: 'assigned.customer@example.com',
        subject: 'Assigned from the start',
        folderId: String(general.id),
        assigneeId: String(assignee.id),
        text: 'Please call me back.',
      })
      expect(res.status).toBe(303)
      const number = numberFrom(res.headers.location)
      const conversation = await prisma().conversation.findUniqueOrThrow({ where: { number } })
      expect(conversation.assigneeId).toBe(assignee.id)
      const notes = await prisma().outboxEmail.findMany({ where: { conversationId: conversation.id, kind: 'notification' } })
      expect(notes).toHaveLength(1)
      expect(notes[0]!.toAddress).toBe(assignee.email)
      expect(notes[0]!.text).toContain(`/conversations/${number}`)
      expect(notes[0]!.html).toContain(`/conversations/${number}`)
      expect(await prisma().historyEvent.count({ where: { conversationId: conversation.id, type: 'conversation.assigned' } })).toBe(1)
    })
  })

  describe('attachments', () => {
    it('keeps a PDF as a download and a pasted picture as an inline image, and stores the same file once', async () => {
      const conversation = await newConversation({ folderId: general.id, subject: 'Invoice copy please' })
      const res = await postMessage(
        admin,
        token,
        conversation.number,
        { type: 'reply', html: `<p>Here is your invoice.</p><p><img src="data:image/png;base64,${PNG_BASE64}"></p>`, text: 'Here is your invoice.' },
        [{ data: PDF, name: 'invoice.pdf' }],
      )
      expect(res.status).toBe(303)
      const message = await prisma().message.findFirstOrThrow({
        where: { conversationId: conversation.id, kind: 'agent' },
        include: { attachments: { orderBy: { id: 'asc' } } },
      })
      const pdf = message.attachments.find((a) => !a.inline)!
      const png = message.attachments.find((a) => a.inline)!
      expect(pdf).toMatchObject({ fileName: 'invoice.pdf', mimeType: 'application/pdf', size: PDF.length })
      expect(png.mimeType).toBe('image/png')
      expect(message.bodyHtml).not.toContain('data:')
      expect(message.bodyHtml).toContain(`/attachments/${png.id}/`)
      // The e-mail to the customer carries the PDF as an attachment and the picture inline (cid:).
      const email = await prisma().outboxEmail.findFirstOrThrow({ where: { conversationId: conversation.id, kind: 'agent_reply' } })
      const files = email.attachments as { fileName: string; contentId?: string }[]
      expect(files.find((f) => f.fileName === 'invoice.pdf')?.contentId).toBeUndefined()
      const inlineCid = files.find((f) => f.fileName === png.fileName)?.contentId
      expect(inlineCid).toBeTruthy()
      expect(email.html).toContain(`cid:${inlineCid}`)
      expect(email.html).not.toContain('/attachments/')

      const page = await admin.get(`/conversations/${conversation.number}`)
      const thread = threadOf(page.text)
      expect(thread).toContain(`href="/attachments/${pdf.id}/invoice.pdf?download"`)
      expect(thread).toContain(`src="/attachments/${png.id}/`)

      const download = await admin.get(`/attachments/${pdf.id}/invoice.pdf`).responseType('blob')
      expect(download.status).toBe(200)
      expect(download.headers['content-disposition']).toMatch(/^attachment;/)
      expect(download.headers['content-disposition']).toContain('invoice.pdf')
      expect(download.headers['x-content-type-options']).toBe('nosniff')
      expect(Buffer.from(download.body as Buffer).equals(PDF)).toBe(true)

      const image = await admin.get(`/attachments/${png.id}/${png.fileName}`).responseType('blob')
      expect(image.status).toBe(200)
      expect(image.headers['content-type']).toBe('image/png')
      expect(image.headers['content-disposition']).toMatch(/^inline;/)
      expect(image.headers['x-content-type-options']).toBe('nosniff')
      expect(Buffer.from(image.body as Buffer).equals(Buffer.from(PNG_BASE64, 'base64'))).toBe(true)

      // The same file again, in another reply: one blob, two attachments.
      const again = await postMessage(admin, token, conversation.number, { type: 'reply', text: 'The invoice again.' }, [
        { data: PDF, name: 'invoice-copy.pdf' },
      ])
      expect(again.status).toBe(303)
      const sha256 = createHash('sha256').update(PDF).digest('hex')
      expect(await prisma().blob.count({ where: { sha256 } })).toBe(1)
      expect(await prisma().attachment.count({ where: { blobSha256: sha256 } })).toBe(2)
      expect(await prisma().historyEvent.count({ where: { conversationId: conversation.id, type: 'attachment.added' } })).toBe(2)
    })

    it('serves an uploaded SVG or HTML file only as an opaque download, never as a page or an image', async () => {
      const conversation = await newConversation({ folderId: general.id, subject: 'Hostile files' })
      const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="5"/></svg>')
      const html = Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>')
      const res = await postMessage(admin, token, conversation.number, { type: 'comment', text: 'Files the customer sent.' }, [
        { data: svg, name: 'drawing.svg' },
        { data: html, name: 'page.html' },
      ])
      expect(res.status).toBe(303)
      const attachments = await prisma().attachment.findMany({ where: { conversationId: conversation.id }, orderBy: { id: 'asc' } })
      expect(attachments.map((a) => a.fileName)).toEqual(['drawing.svg', 'page.html'])
      for (const a of attachments) {
        // Never recorded as a type a browser would render.
        expect(a.mimeType).not.toMatch(/svg|html|xml|javascript/i)
        expect(a.inline).toBe(false)
        for (const url of [`/attachments/${a.id}`, `/attachments/${a.id}/${a.fileName}`, `/attachments/${a.id}/${a.fileName}?download`]) {
          const served = await admin.get(url).responseType('blob')
          expect(served.status).toBe(200)
          expect(served.headers['content-type']).toBe('application/octet-stream')
          expect(served.headers['content-disposition']).toMatch(/^attachment;/)
          expect(served.headers['x-content-type-options']).toBe('nosniff')
        }
      }
      const page = await admin.get(`/conversations/${conversation.number}`)
      const thread = threadOf(page.text)
      expect(thread).not.toMatch(/<img[^>]+drawing\.svg/)
      expect(thread).not.toContain('onload')
      expect(thread).toContain('drawing.svg')
    })

    it('refuses a file over the limit with 413 and a clear error, keeps the text on the page, and adds no message', async () => {
      await prisma().setting.upsert({ where: { key: 'attachmentMaxBytes' }, create: { key: 'attachmentMaxBytes', value: 2048 }, update: { value: 2048 } })
      try {
        const conversation = await newConversation({ folderId: general.id, subject: 'Too big a file' })
        const before = await prisma().message.count({ where: { conversationId: conversation.id } })
        const res = await postMessage(admin, token, conversation.number, { type: 'reply', text: 'Please keep this text' }, [
          { data: Buffer.alloc(4096, 0x41), name: 'big.bin' },
        ])
        expect(res.status).toBe(413)
        expect(res.text).toContain('role="alert"')
        expect(res.text).toContain('Nothing was sent')
        expect(res.text).toContain('Please keep this text')
        expect(await prisma().message.count({ where: { conversationId: conversation.id } })).toBe(before)
        expect(await prisma().outboxEmail.count({ where: { conversationId: conversation.id } })).toBe(0)
        expect(await prisma().attachment.count({ where: { conversationId: conversation.id } })).toBe(0)

        // The new-conversation form keeps what was typed the same way.
        const count = await prisma().conversation.count()
        const created = await postNewConversation(
          { mode: 'send', customerEmail: 'big.file@example.com', subject: 'Subject to keep', folderId: String(general.id), text: 'Body to keep' },
          [{ data: Buffer.alloc(4096, 0x42), name: 'big.bin' }],
        )
        expect(created.status).toBe(413)
        expect(created.text).toContain('Nothing was sent')
        expect(created.text).toContain('value="Subject to keep"')
        expect(created.text).toContain('Body to keep')
        expect(await prisma().conversation.count()).toBe(count)
      } finally {
        await prisma().setting.delete({ where: { key: 'attachmentMaxBytes' } })
      }
    })

    it('names the file over the limit, and the files to choose again, on the reply and the new-conversation forms', async () => {
      await prisma().setting.upsert({ where: { key: 'attachmentMaxBytes' }, create: { key: 'attachmentMaxBytes', value: 2048 }, update: { value: 2048 } })
      try {
        const conversation = await newConversation({ subject: 'Which file was too big' })
        const files = [
          { data: PDF, name: 'invoice.pdf' },
          { data: Buffer.alloc(4096, 0x41), name: 'holiday-video.mp4' },
        ]
        const reply = await postMessage(admin, token, conversation.number, { type: 'reply', text: 'Text to keep' }, files)
        expect(reply.status).toBe(413)
        expect(/<div class="flash flash-error" role="alert" id="reply-error">([^<]*)<\/div>/.exec(reply.text)?.[1]).toBe(
          '“holiday-video.mp4” is larger than 2 KB, the most the help desk accepts. Nothing was sent; your text is kept below.',
        )
        expect(/<p class="field-error" id="reply-files-error">([^<]*)<\/p>/.exec(reply.text)?.[1]).toBe(
          'Leave out “holiday-video.mp4” and choose “invoice.pdf” and any other files again: a form that is refused cannot keep its files.',
        )
        expect(reply.text).toContain('aria-describedby="reply-files-error"')
        expect(reply.text).toContain('Text to keep')

        const created = await postNewConversation(
          { mode: 'send', customerEmail: 'big.file@example.com', subject: 'Subject to keep', folderId: String(general.id), text: 'Body to keep' },
          [files[1]!],
        )
        expect(created.status).toBe(413)
        expect(created.text).toContain('“holiday-video.mp4” is larger than 2 KB')
        expect(/<p class="field-error" id="files-error">([^<]*)<\/p>/.exec(created.text)?.[1]).toBe(
          'Leave out “holiday-video.mp4” and choose any other files again: a form that is refused cannot keep its files.',
        )
      } finally {
        await prisma().setting.delete({ where: { key: 'attachmentMaxBytes' } })
      }
    })

    it('names the size limit truthfully in the error, even when it is under a megabyte', async () => {
      await prisma().setting.upsert({ where: { key: 'attachmentMaxBytes' }, create: { key: 'attachmentMaxBytes', value: 2048 }, update: { value: 2048 } })
      try {
        const conversation = await newConversation({ subject: 'Limit in words' })
        const res = await postMessage(admin, token, conversation.number, { type: 'reply', text: 'Some text' }, [
          { data: Buffer.alloc(4096, 0x41), name: 'big.bin' },
        ])
        expect(res.status).toBe(413)
        const limit = /larger than ([\d.]+) (bytes|KB|MB)/.exec(res.text)
        expect(limit, 'the error names the limit').not.toBeNull()
        // 2048 bytes is "2 KB", not "0 MB".
        expect(Number(limit![1])).toBeGreaterThan(0)
      } finally {
        await prisma().setting.delete({ where: { key: 'attachmentMaxBytes' } })
      }
    })

    it('keeps the chosen "status after sending" when a file is too large (fields in the order the page sends them)', async () => {
      await prisma().setting.upsert({ where: { key: 'attachmentMaxBytes' }, create: { key: 'attachmentMaxBytes', value: 2048 }, update: { value: 2048 } })
      try {
        const conversation = await newConversation({ subject: 'Keep the status choice' })
        const page = await admin.get(`/conversations/${conversation.number}`)
        // The reply form's fields, in document order: the file input comes before the status select.
        const form = /<form method="post" action="[^"]+\/messages"[\s\S]*?<\/form>/.exec(page.text)![0]
        const names = [...new Set([...form.matchAll(/name="(\w+)"/g)].map((m) => m[1]))]
        expect(names.indexOf('files')).toBeGreaterThan(-1)
        const seen = /name="seenMessageCount" value="(\d+)"/.exec(page.text)![1]!
        let req = admin.post(`/conversations/${conversation.number}/messages`)
        for (const name of names) {
          if (name === '_csrf') req = req.field('_csrf', token)
          else if (name === 'seenMessageCount') req = req.field('seenMessageCount', seen)
          else if (name === 'type') req = req.field('type', 'reply')
          else if (name === 'text') req = req.field('text', 'Closing this with the file attached')
          else if (name === 'html') req = req.field('html', '')
          else if (name === 'files') req = req.attach('files', Buffer.alloc(256 * 1024, 0x43), 'big.bin')
          else if (name === 'statusAfter') req = req.field('statusAfter', 'closed')
        }
        const res = await req
        expect(res.status).toBe(413)
        expect(res.text).toContain('Closing this with the file attached')
        expect(res.text).toMatch(/<option value="closed" selected>Closed<\/option>/)
      } finally {
        await prisma().setting.delete({ where: { key: 'attachmentMaxBytes' } })
      }
    })
  })

  describe('the thread', () => {
    it('an internal comment keeps the status, sends nothing, and shows in the thread as internal', async () => {
      const conversation = await newConversation({ folderId: general.id, subject: 'Comment only', status: 'open' })
      const outboxBefore = await prisma().outboxEmail.count({ where: { conversationId: conversation.id } })
      const res = await postMessage(admin, token, conversation.number, { type: 'comment', text: 'Checked with the warehouse: shipped Monday.' })
      expect(res.status).toBe(303)
      const after = await prisma().conversation.findUniqueOrThrow({ where: { id: conversation.id } })
      expect(after.status).toBe('open')
      expect(await prisma().outboxEmail.count({ where: { conversationId: conversation.id } })).toBe(outboxBefore)
      expect(await prisma().message.count({ where: { conversationId: conversation.id, kind: 'internal' } })).toBe(1)
      const page = await admin.get(`/conversations/${conversation.number}`)
      const internal = /<li class="message message-internal"[\s\S]*?<\/li>/.exec(threadOf(page.text))
      expect(internal?.[0]).toContain('Checked with the warehouse: shipped Monday.')
      expect(historyOf(page.text)).toContain('added an internal comment')
    })

    it('asks for confirmation when a message arrived after the page was loaded (traffic cop), then sends on confirm', async () => {
      const conversation = await newConversation({ folderId: general.id, subject: 'Traffic cop' })
      const loaded = await admin.get(`/conversations/${conversation.number}`)
      const seen = /name="seenMessageCount" value="(\d+)"/.exec(loaded.text)![1]!
      await addCustomerMessage(app.ctx.domain, asCustomer(conversation.customerId), {
        conversationId: conversation.id,
        text: 'Actually, I found the parcel at my neighbour’s.',
      })

      const res = await postMessage(admin, token, conversation.number, { type: 'reply', text: 'We are sending another one.', seenMessageCount: seen })
      expect(res.status).toBe(409)
      expect(res.text).toContain('New messages arrived')
      expect(res.text).toContain('Send again to confirm')
      expect(threadOf(res.text)).toContain('I found the parcel at my neighbour')
      expect(res.text).toContain('We are sending another one.')
      expect(await prisma().message.count({ where: { conversationId: conversation.id, kind: 'agent' } })).toBe(0)
      expect(await prisma().outboxEmail.count({ where: { conversationId: conversation.id, kind: 'agent_reply' } })).toBe(0)

      // Send again from the warning page, as the browser does: its thread version and the confirmation.
      const seenOnWarning = /name="seenMessageCount" value="(\d+)"/.exec(res.text)![1]!
      const confirmed = await postMessage(admin, token, conversation.number, {
        type: 'reply',
        text: 'We are sending another one.',
        seenMessageCount: seenOnWarning,
      })
      expect(confirmed.status).toBe(303)
      expect(await prisma().message.count({ where: { conversationId: conversation.id, kind: 'agent' } })).toBe(1)
      expect(await prisma().outboxEmail.count({ where: { conversationId: conversation.id, kind: 'agent_reply' } })).toBe(1)
      expect((await prisma().conversation.findUniqueOrThrow({ where: { id: conversation.id } })).status).toBe('pending')
    })

    it('a confirmation covers only the messages shown: one more arriving after the warning asks again', async () => {
      const conversation = await newConversation({ subject: 'Traffic cop twice' })
      const loaded = await admin.get(`/conversations/${conversation.number}`)
      const seen = /name="seenMessageCount" value="(\d+)"/.exec(loaded.text)![1]!
      await addCustomerMessage(app.ctx.domain, asCustomer(conversation.customerId), { conversationId: conversation.id, text: 'First extra message.' })
      const warned = await postMessage(admin, token, conversation.number, { type: 'reply', text: 'My answer.', seenMessageCount: seen })
      expect(warned.status).toBe(409)
      const seenOnWarning = /name="seenMessageCount" value="(\d+)"/.exec(warned.text)![1]!
      expect(Number(seenOnWarning)).toBeGreaterThan(Number(seen))

      // Another message arrives while the agent reads the warning page.
      await addCustomerMessage(app.ctx.domain, asCustomer(conversation.customerId), {
        conversationId: conversation.id,
        text: 'Second extra message, never shown.',
      })
      const res = await postMessage(admin, token, conversation.number, { type: 'reply', text: 'My answer.', seenMessageCount: seenOnWarning })
      expect(res.status).toBe(409)
      expect(threadOf(res.text)).toContain('Second extra message, never shown.')
      expect(await prisma().message.count({ where: { conversationId: conversation.id, kind: 'agent' } })).toBe(0)
    })

    it('after a refused reply (empty, a collision, a file too large) the address the browser shows opens the conversation', async () => {
      const conversation = await newConversation({ subject: 'Refused replies keep a working address' })
      const href = `/conversations/${conversation.number}`
      const seen = /name="seenMessageCount" value="(\d+)"/.exec((await admin.get(href)).text)![1]!

      const empty = await postMessage(admin, token, conversation.number, { type: 'reply', text: '   ', seenMessageCount: seen })
      expect(empty.status).toBe(400)

      await addCustomerMessage(app.ctx.domain, asCustomer(conversation.customerId), { conversationId: conversation.id, text: 'One more thing from me.' })
      const collided = await postMessage(
        admin,
        token,
        conversation.number,
        { type: 'reply', text: 'Typed before the customer wrote', seenMessageCount: seen },
        [{ data: PDF, name: 'invoice.pdf' }],
      )
      expect(collided.status).toBe(409)
      expect(collided.text).toContain('Typed before the customer wrote')
      expect(/<p class="field-error" id="reply-files-error">([^<]*)<\/p>/.exec(collided.text)?.[1]).toBe(
        'Choose “invoice.pdf” again: a form that is refused cannot keep its files.',
      )

      await prisma().setting.upsert({ where: { key: 'attachmentMaxBytes' }, create: { key: 'attachmentMaxBytes', value: 2048 }, update: { value: 2048 } })
      try {
        const tooLarge = await postMessage(admin, token, conversation.number, { type: 'reply', text: 'Some text' }, [
          { data: Buffer.alloc(4096, 0x41), name: 'big.bin' },
        ])
        expect(tooLarge.status).toBe(413)
      } finally {
        await prisma().setting.delete({ where: { key: 'attachmentMaxBytes' } })
      }
      expect(await prisma().message.count({ where: { conversationId: conversation.id, kind: 'agent' } })).toBe(0)

      // Each refusal was answered at the form's address; reloaded or shared, that address is the conversation.
      const again = await admin.get(`${href}/messages`)
      expect(again.status).toBe(303)
      expect(again.headers.location).toBe(href)
      const page = await admin.get(again.headers.location!)
      expect(page.status).toBe(200)
      expect(page.text).toContain('Refused replies keep a working address')

      // So are the addresses of the sidebar's forms and of the list's bulk form.
      const tag = await buildTag(prisma(), 'address-check')
      for (const path of ['/assign', '/move', '/status', '/tags', `/tags/${tag.id}/remove`]) {
        const res = await admin.get(`${href}${path}`)
        expect(res.status, path).toBe(303)
        expect(res.headers.location, path).toBe(href)
      }
      const bulk = await admin.get('/conversations/bulk')
      expect(bulk.status).toBe(303)
      expect(bulk.headers.location).toBe('/conversations')
      // An unknown conversation's address is the same 404 as before.
      expect((await admin.get('/conversations/987654/messages')).status).toBe(404)
    })

    it('a reply with an up-to-date thread is sent at once and makes the conversation pending', async () => {
      const conversation = await newConversation({ folderId: general.id, subject: 'Up to date', status: 'open' })
      const loaded = await admin.get(`/conversations/${conversation.number}`)
      const seen = /name="seenMessageCount" value="(\d+)"/.exec(loaded.text)![1]!
      const res = await postMessage(admin, token, conversation.number, { type: 'reply', text: 'Done, thanks.', seenMessageCount: seen })
      expect(res.status).toBe(303)
      const after = await prisma().conversation.findUniqueOrThrow({ where: { id: conversation.id } })
      expect(after.status).toBe('pending')
      const event = await prisma().historyEvent.findFirstOrThrow({
        where: { conversationId: conversation.id, type: 'status.changed' },
        orderBy: { id: 'desc' },
      })
      expect(event.data).toEqual({ from: 'open', to: 'pending' })
    })

    it('removes hostile HTML from a reply before storing and showing it', async () => {
      const conversation = await newConversation({ folderId: general.id, subject: 'Hostile reply' })
      const hostile = [
        '<p>Hello there</p>',
        '<script>alert(1)</script>',
        '<img src=x onerror=alert(1)>',
        '<p><a href="javascript:alert(1)">x</a></p>',
        '<svg onload=alert(1)><circle r="1"/></svg>',
        '<iframe src="https://evil.example"></iframe>',
        '<p><a href="data:text/html,<script>alert(1)</script>">data link</a></p>',
        '<p><a href="https://example.org/ok">fine link</a></p>',
      ].join('')
      const res = await postMessage(admin, token, conversation.number, { type: 'reply', html: hostile, text: 'Hello there' })
      expect(res.status).toBe(303)
      const message = await prisma().message.findFirstOrThrow({ where: { conversationId: conversation.id, kind: 'agent' } })
      const page = await admin.get(`/conversations/${conversation.number}`)
      const thread = threadOf(page.text)
      const email = await prisma().outboxEmail.findFirstOrThrow({ where: { conversationId: conversation.id, kind: 'agent_reply' } })
      for (const html of [message.bodyHtml, thread, email.html]) {
        expect(html).toContain('Hello there')
        expect(html).toContain('href="https://example.org/ok"')
        expect(html).not.toMatch(/<script/i)
        expect(html).not.toMatch(/onerror|onload/i)
        expect(html).not.toMatch(/javascript:/i)
        expect(html).not.toMatch(/<svg/i)
        expect(html).not.toMatch(/<iframe/i)
        expect(html).not.toContain('evil.example')
        expect(html).not.toMatch(/data:text\/html/i)
        expect(html).not.toContain('alert(1)')
        expect(html).not.toMatch(/<img[^>]+src="?x/i)
      }
    })
  })

  describe('the sidebar actions', () => {
    it('status, assignee, folder and tags each change the conversation and appear in the history', async () => {
      const other = await buildFolder(prisma(), 'Returns desk')
      const assignee = await buildAgent(prisma(), { folderIds: [general.id, other.id], name: 'Sidebar Sam' })
      const tag = await buildTag(prisma(), 'fragile', 'red')
      const conversation = await newConversation({ folderId: general.id, subject: 'Sidebar actions' })
      const href = `/conversations/${conversation.number}`
      const lastEvent = () => prisma().historyEvent.findFirstOrThrow({ where: { conversationId: conversation.id }, orderBy: { id: 'desc' } })
      const row = () => prisma().conversation.findUniqueOrThrow({ where: { id: conversation.id }, include: { tags: true } })

      let res = await admin.post(`${href}/status`).type('form').send({ _csrf: token, status: 'closed' })
      expect(res.status).toBe(303)
      expect(res.headers.location).toBe(href)
      expect((await row()).status).toBe('closed')
      expect(await lastEvent()).toMatchObject({ type: 'status.changed', data: { from: 'new', to: 'closed' }, actorAgentId: adminActor.id })
      expect(historyOf((await admin.get(href)).text)).toContain('changed the status from New to Closed')

      res = await admin
        .post(`${href}/assign`)
        .type('form')
        .send({ _csrf: token, assigneeId: String(assignee.id) })
      expect(res.status).toBe(303)
      expect((await row()).assigneeId).toBe(assignee.id)
      expect(await lastEvent()).toMatchObject({ type: 'conversation.assigned', data: { from: null, to: assignee.id } })
      expect(historyOf((await admin.get(href)).text)).toContain('assigned it to Sidebar Sam')
      const notice = await prisma().outboxEmail.findMany({ where: { conversationId: conversation.id, kind: 'notification' } })
      expect(notice.map((n) => n.toAddress)).toEqual([assignee.email])
      expect(notice[0]!.text).toContain(`/conversations/${conversation.number}`)

      res = await admin
        .post(`${href}/move`)
        .type('form')
        .send({ _csrf: token, folderId: String(other.id) })
      expect(res.status).toBe(303)
      expect((await row()).folderId).toBe(other.id)
      expect((await row()).assigneeId).toBe(assignee.id)
      expect(await lastEvent()).toMatchObject({ type: 'conversation.moved', data: { from: general.id, to: other.id } })
      expect(historyOf((await admin.get(href)).text)).toContain(`moved it from ${general.name} to Returns desk`)

      res = await admin
        .post(`${href}/tags`)
        .type('form')
        .send({ _csrf: token, tagId: String(tag.id) })
      expect(res.status).toBe(303)
      expect((await row()).tags.map((t) => t.tagId)).toEqual([tag.id])
      expect(await lastEvent()).toMatchObject({ type: 'conversation.tagged', data: { tagId: tag.id, tag: 'fragile' } })
      let page = await admin.get(href)
      expect(historyOf(page.text)).toContain('added the tag “fragile”')
      expect(page.text).toContain('aria-label="Remove the tag fragile"')

      res = await admin.post(`${href}/tags/${tag.id}/remove`).type('form').send({ _csrf: token })
      expect(res.status).toBe(303)
      expect((await row()).tags).toEqual([])
      expect(await lastEvent()).toMatchObject({ type: 'conversation.untagged', data: { tagId: tag.id, tag: 'fragile' } })
      page = await admin.get(href)
      expect(historyOf(page.text)).toContain('removed the tag “fragile”')
      expect(page.text).not.toContain('aria-label="Remove the tag fragile"')
    })

    it('moving a conversation to a folder its assignee cannot see unassigns it, and the history says why', async () => {
      const elsewhere = await buildFolder(prisma(), 'Elsewhere desk')
      const assignee = await buildAgent(prisma(), { folderIds: [general.id], name: 'Stay-home Stella' })
      const conversation = await newConversation({ subject: 'Moving away', assigneeId: assignee.id })
      const res = await admin
        .post(`/conversations/${conversation.number}/move`)
        .type('form')
        .send({ _csrf: token, folderId: String(elsewhere.id) })
      expect(res.status).toBe(303)
      expect(await prisma().conversation.findUniqueOrThrow({ where: { id: conversation.id } })).toMatchObject({ folderId: elsewhere.id, assigneeId: null })
      const history = historyOf((await admin.get(`/conversations/${conversation.number}`)).text)
      expect(history).toContain('unassigned it (not in the new folder)')
      expect(history).toContain('to Elsewhere desk')
    })

    it('an agent of the folder can work on it too, and the history names them', async () => {
      const agent = await buildAgent(prisma(), { folderIds: [general.id], name: 'Worker Wanda' })
      const { client } = await signIn(app, agent.email, PASSWORD)
      const csrf = csrfFrom((await client.get('/conversations')).text)
      const conversation = await newConversation({ folderId: general.id, subject: 'Agent works on it' })
      const href = `/conversations/${conversation.number}`
      expect(
        (
          await client
            .post(`${href}/assign`)
            .type('form')
            .send({ _csrf: csrf, assigneeId: String(agent.id) })
        ).status,
      ).toBe(303)
      expect((await postMessage(client, csrf, conversation.number, { type: 'reply', text: 'On it.' })).status).toBe(303)
      const after = await prisma().conversation.findUniqueOrThrow({ where: { id: conversation.id } })
      expect(after).toMatchObject({ assigneeId: agent.id, status: 'pending' })
      const history = historyOf((await client.get(href)).text)
      expect(history).toContain('Worker Wanda</strong> assigned it to Worker Wanda')
      expect(history).toContain('Worker Wanda</strong> replied to the customer')
    })

    it('answers a malformed action with 400, not a server error, and changes nothing', async () => {
      const conversation = await newConversation({ folderId: general.id, subject: 'Malformed actions' })
      const href = `/conversations/${conversation.number}`
      const before = await prisma().conversation.findUniqueOrThrow({ where: { id: conversation.id } })
      const answers = {
        status: (await admin.post(`${href}/status`).type('form').send({ _csrf: token, status: 'archived' })).status,
        assign: (await admin.post(`${href}/assign`).type('form').send({ _csrf: token, assigneeId: 'somebody' })).status,
        move: (await admin.post(`${href}/move`).type('form').send({ _csrf: token })).status,
        tag: (await admin.post(`${href}/tags`).type('form').send({ _csrf: token, tagId: 'fragile' })).status,
        newConversation: (
          await admin
            .post('/conversations')
            .type('form')
            .send({ _csrf: token, mode: 'send', customerEmail: 'x@example.com', subject: 'No folder', folderId: 'none', text: 'x' })
        ).status,
      }
      expect(answers).toEqual({ status: 400, assign: 400, move: 400, tag: 400, newConversation: 400 })
      expect(await prisma().conversation.findUniqueOrThrow({ where: { id: conversation.id } })).toEqual(before)
    })

    it('answers an address that is not a conversation number with the same 404 as an unknown number', async () => {
      const unknown = await admin.get('/conversations/987654')
      expect(unknown.status).toBe(404)
      expect(unknown.text).toContain('Page not found')
      for (const path of ['/conversations/abc', '/conversations/0', '/conversations/99999999999', '/attachments/abc']) {
        const res = await admin.get(path)
        expect(res.status, path).toBe(404)
        expect(res.text, path).toContain('Page not found')
      }
    })
  })

  describe('the list', () => {
    it('counts each tab and filters by folder, assignee and tag', async () => {
      const folder = await buildFolder(prisma(), 'Listing desk')
      const agent = await buildAgent(prisma(), { folderIds: [folder.id], name: 'Filter Fiona' })
      const tag = await buildTag(prisma(), 'listing-vip', 'green')
      const fresh = await buildConversation(app.ctx.domain, adminActor, { folderId: folder.id, subject: 'List new one', assigneeId: agent.id })
      const open = await buildConversation(app.ctx.domain, adminActor, {
        folderId: folder.id,
        subject: 'List open one',
        status: 'open',
        assigneeId: adminActor.id,
      })
      const pending = await buildConversation(app.ctx.domain, adminActor, { folderId: folder.id, subject: 'List pending one', mode: 'send' })
      const closed = await buildConversation(app.ctx.domain, adminActor, { folderId: folder.id, subject: 'List closed one', status: 'closed' })
      await admin
        .post(`/conversations/${fresh.number}/tags`)
        .type('form')
        .send({ _csrf: token, tagId: String(tag.id) })

      const all = await admin.get(`/conversations?tab=all&folder=${folder.id}`)
      expect(all.status).toBe(200)
      expect(tabCount(all.text, 'New')).toBe(1)
      expect(tabCount(all.text, 'Open')).toBe(1)
      expect(tabCount(all.text, 'Pending')).toBe(1)
      expect(tabCount(all.text, 'Closed')).toBe(1)
      expect(tabCount(all.text, 'All')).toBe(4)
      expect(tabCount(all.text, 'Mine')).toBe(1)
      expect(tabCount(all.text, 'Unassigned')).toBe(1)
      expect(rowNumbers(all.text).sort()).toEqual([fresh, open, pending, closed].map((c) => c.number).sort())

      const tabs: [string, number[]][] = [
        ['new', [fresh.number]],
        ['open', [open.number]],
        ['pending', [pending.number]],
        ['closed', [closed.number]],
        ['mine', [open.number]],
        ['unassigned', [pending.number]],
      ]
      for (const [tab, expected] of tabs) {
        expect(rowNumbers((await admin.get(`/conversations?tab=${tab}&folder=${folder.id}`)).text), tab).toEqual(expected)
      }
      expect(rowNumbers((await admin.get(`/conversations?tab=all&folder=${folder.id}&assignee=${agent.id}`)).text)).toEqual([fresh.number])
      expect(rowNumbers((await admin.get(`/conversations?tab=all&folder=${folder.id}&assignee=none`)).text).sort()).toEqual(
        [pending.number, closed.number].sort(),
      )
      const byTag = await admin.get(`/conversations?tab=all&tag=${tag.id}`)
      expect(rowNumbers(byTag.text)).toEqual([fresh.number])
      expect(tabCount(byTag.text, 'All')).toBe(1)
      // A row shows customer, subject, status, assignee and tags.
      const rowHtml = /<li class="conversation-row"[\s\S]*?<\/li>/.exec(byTag.text)![0]
      expect(rowHtml).toContain('List new one')
      expect(rowHtml).toContain('Casey Customer')
      expect(rowHtml).toContain('Filter Fiona')
      expect(rowHtml).toContain('listing-vip')
      expect(rowHtml).toContain('status-new')
    })

    it('finds a conversation by a word of its subject, of a message, of the customer’s name or address', async () => {
      const folder = await buildFolder(prisma(), 'Search desk')
      const bySubject = await buildConversation(app.ctx.domain, adminActor, { folderId: folder.id, subject: 'Broken zipper on backpack', text: 'Plain words.' })
      const byBody = await buildConversation(app.ctx.domain, adminActor, {
        folderId: folder.id,
        subject: 'Some question',
        text: 'The xylophone arrived out of tune.',
      })
      const byCustomer = await buildConversation(app.ctx.domain, adminActor, {
        folderId: folder.id,
        subject: 'Another question',
        text: 'Nothing special.',
        customerName: 'Marguerite Duras',
        customerEmail: 'm.duras@lettres-modernes.example',
      })
      const search = async (q: string) => rowNumbers((await admin.get(`/conversations?tab=all&q=${encodeURIComponent(q)}`)).text)
      expect(await search('zipper')).toEqual([bySubject.number])
      expect(await search('xylophone')).toEqual([byBody.number])
      expect(await search('Marguerite')).toEqual([byCustomer.number])
      expect(await search('duras')).toEqual([byCustomer.number])
      expect(await search('lettres')).toEqual([byCustomer.number])
      expect(await search('m.duras@lettres-modernes.example')).toEqual([byCustomer.number])
      expect(await search('nosuchwordanywhere')).toEqual([])
      const page = await admin.get('/conversations?tab=all&q=xylophone')
      expect(tabCount(page.text, 'All')).toBe(1)
      expect(page.text).toContain('value="xylophone"')
    })

    it('pages by keyset: 50 rows, then the older ones without overlap', async () => {
      const folder = await buildFolder(prisma(), 'Archive desk')
      const customer = await prisma().customer.create({ data: { email: 'many@example.com', name: 'Many Conversations' } })
      const base = new Date('2026-06-01T12:00:00Z').getTime()
      const created: number[] = []
      for (let i = 0; i < 55; i++) {
        const c = await prisma().conversation.create({
          data: {
            subject: `Archived ${i}`,
            channel: 'email',
            status: 'closed',
            folderId: folder.id,
            customerId: customer.id,
            lastActivityAt: new Date(base - i * 60_000),
          },
        })
        created.push(c.number)
      }
      const first = await admin.get(`/conversations?tab=all&folder=${folder.id}`)
      const page1 = rowNumbers(first.text)
      expect(page1).toHaveLength(50)
      expect(page1).toEqual(created.slice(0, 50))
      const next = /<a rel="next" class="button button-secondary" href="([^"]+)">Older conversations<\/a>/.exec(first.text)
      expect(next).not.toBeNull()
      const second = await admin.get(decode(next![1]!))
      const page2 = rowNumbers(second.text)
      expect(page2).toHaveLength(5)
      expect(page2).toEqual(created.slice(50))
      expect(page1.filter((n) => page2.includes(n))).toEqual([])
      expect(second.text).not.toContain('Older conversations')
      expect(tabCount(second.text, 'All')).toBe(55)
    })
  })

  describe('bulk actions', () => {
    it('assigns, moves, tags and closes several selected conversations in one go', async () => {
      const from = await buildFolder(prisma(), 'Bulk from')
      const to = await buildFolder(prisma(), 'Bulk to')
      const agent = await buildAgent(prisma(), { folderIds: [from.id, to.id], name: 'Bulk Bert' })
      const tag = await buildTag(prisma(), 'bulk-tag', 'teal')
      const [a, b, c] = [
        await buildConversation(app.ctx.domain, adminActor, { folderId: from.id, subject: 'Bulk A' }),
        await buildConversation(app.ctx.domain, adminActor, { folderId: from.id, subject: 'Bulk B', status: 'open' }),
        await buildConversation(app.ctx.domain, adminActor, { folderId: from.id, subject: 'Bulk C (not selected)' }),
      ]
      const selected = [a.id, b.id]
      const bulk = (fields: Record<string, string>) => {
        const body = new URLSearchParams({ _csrf: token, back: `/conversations?tab=all&folder=${from.id}`, ...fields })
        for (const id of selected) body.append('ids', String(id))
        return admin.post('/conversations/bulk').type('form').send(body.toString())
      }
      const rows = () => prisma().conversation.findMany({ where: { id: { in: [a.id, b.id, c.id] } }, orderBy: { id: 'asc' }, include: { tags: true } })

      let res = await bulk({ action: 'assign', assigneeId: String(agent.id) })
      expect(res.status).toBe(303)
      expect(res.headers.location).toBe(`/conversations?tab=all&folder=${from.id}`)
      expect((await rows()).map((r) => r.assigneeId)).toEqual([agent.id, agent.id, null])
      const flashPage = await admin.get(res.headers.location!)
      expect(flashPage.text).toContain('2 conversations updated.')

      res = await bulk({ action: 'tag', tagId: String(tag.id) })
      expect(res.status).toBe(303)
      expect((await rows()).map((r) => r.tags.map((t) => t.tagId))).toEqual([[tag.id], [tag.id], []])

      res = await bulk({ action: 'move', folderId: String(to.id) })
      expect(res.status).toBe(303)
      expect((await rows()).map((r) => r.folderId)).toEqual([to.id, to.id, from.id])

      res = await bulk({ action: 'close' })
      expect(res.status).toBe(303)
      expect((await rows()).map((r) => r.status)).toEqual(['closed', 'closed', 'new'])

      for (const id of selected) {
        const types = (await prisma().historyEvent.findMany({ where: { conversationId: id }, select: { type: true } })).map((e) => e.type)
        expect(types).toEqual(expect.arrayContaining(['conversation.assigned', 'conversation.tagged', 'conversation.moved', 'status.changed']))
      }
      expect(
        await prisma().historyEvent.count({
          where: { conversationId: c.id, type: { in: ['conversation.assigned', 'conversation.tagged', 'conversation.moved', 'status.changed'] } },
        }),
      ).toBe(0)
    })

    it('with nothing selected, says so and changes nothing', async () => {
      const res = await admin.post('/conversations/bulk').type('form').send({ _csrf: token, action: 'close', back: '/conversations?tab=all' })
      expect(res.status).toBe(303)
      expect(res.headers.location).toBe('/conversations?tab=all')
      expect((await admin.get(res.headers.location!)).text).toContain('Select at least one conversation')
    })
  })

  describe('escaping', () => {
    it('shows a subject and a customer name holding a script tag as text in the list and on the page', async () => {
      const res = await postNewConversation({
        mode: 'record',
        customerEmail: 'script.kiddie@example.com',
        customerName: '<script>alert(1)</script> Eve',
        subject: '<script>alert(1)</script> Refund',
        folderId: String(general.id),
        text: 'Plain request.',
      })
      expect(res.status).toBe(303)
      const number = numberFrom(res.headers.location)
      const list = await admin.get('/conversations?tab=all&q=kiddie')
      expect(rowNumbers(list.text)).toEqual([number])
      const page = await admin.get(`/conversations/${number}`)
      for (const html of [list.text, page.text]) {
        expect(html).not.toContain('<script>alert(1)</script>')
        expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; Refund')
        expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; Eve')
      }
    })
  })
})
