import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../src/domain/actor.ts'
import { addInternalComment } from '../../../src/domain/conversations/commands/addInternalComment.ts'
import { replyAsAgent } from '../../../src/domain/conversations/commands/replyAsAgent.ts'
import { apiClient, buildApiToken, type ApiClient } from '../../helpers/apiClient.ts'
import { buildAgent, buildConversation, buildFolder } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

const SECRET = 'Xylophone quarterly numbers'
const PDF = Buffer.from('%PDF-1.4\n% a small test file\n')

describe('API: messages and attachments', () => {
  let app: TestApp
  let ada: Actor
  let api: ApiClient
  let readApi: ApiClient
  let supportId: number
  let hidden: { number: number; messageId: number; attachmentId: number }
  let n = 0

  const prisma = () => app.ctx.db.prisma
  const make = () => buildConversation(app.ctx.domain, ada, { folderId: supportId, customerEmail: `api-msg-${++n}@customer.example` })

  beforeAll(async () => {
    app = await startTestApp()
    supportId = (await buildFolder(prisma(), 'Support')).id
    const boardId = (await buildFolder(prisma(), 'Board')).id
    const admin = await buildAgent(prisma(), { role: 'admin' })
    ada = await buildAgent(prisma(), { name: 'Ada', folderIds: [supportId] })
    const c = await buildConversation(app.ctx.domain, admin, {
      folderId: boardId,
      subject: 'Board only',
      text: SECRET,
      files: [{ fileName: 'numbers.pdf', data: PDF }],
    })
    const attachment = await prisma().attachment.findFirstOrThrow({ where: { conversationId: c.id } })
    hidden = { number: c.number, messageId: attachment.messageId!, attachmentId: attachment.id }
    api = await apiClient(app.url, await buildApiToken(app.ctx.domain, ada, 'write'))
    readApi = api.as(await buildApiToken(app.ctx.domain, ada, 'read'))
  })
  afterAll(async () => {
    await app?.close()
  })

  const expectHidden = (res: { status: number; bytes: Buffer }) => {
    expect(res.status).toBe(404)
    expect(res.bytes.toString()).not.toContain(SECRET)
  }

  it('lists the thread in order, comments and files included, page by page', async () => {
    const c = await buildConversation(app.ctx.domain, ada, {
      folderId: supportId,
      customerEmail: `api-msg-${++n}@customer.example`,
      text: 'My order',
      files: [{ fileName: 'receipt.pdf', data: PDF }],
    })
    await addInternalComment(app.ctx.domain, ada, { conversationId: c.id, text: 'Looks like a refund' })
    await replyAsAgent(app.ctx.domain, ada, { conversationId: c.id, text: 'Refunded.' })
    const all = await readApi.get(`/conversations/${c.number}/messages`)
    expect(all.status).toBe(200)
    expect(all.body.next).toBeNull()
    expect(all.body.items.map((m: { kind: string }) => m.kind)).toEqual(['customer', 'internal', 'agent'])
    const [first] = all.body.items
    expect(first.author).toMatchObject({ type: 'customer', email: `api-msg-${n}@customer.example` })
    expect(first.attachments).toEqual([
      expect.objectContaining({
        fileName: 'receipt.pdf',
        mimeType: 'application/pdf',
        size: PDF.length,
        inline: false,
        url: `/api/v1/attachments/${first.attachments[0].id}`,
      }),
    ])
    const one = await readApi.get(`/conversations/${c.number}/messages?limit=2`)
    expect(one.body.items).toHaveLength(2)
    const two = await readApi.get(`/conversations/${c.number}/messages?limit=2&after=${one.body.next}`)
    expect(two.body.items.map((m: { text: string }) => m.text)).toEqual(['Refunded.'])
    expect(two.body.next).toBeNull()
    const bad = await readApi.get(`/conversations/${c.number}/messages?after=zzz`)
    expect(bad.status).toBe(422)
    expect(bad.body.errors[0].pointer).toBe('/query/after')
  })

  it('reads one message, and downloads its file', async () => {
    const c = await buildConversation(app.ctx.domain, ada, { folderId: supportId, files: [{ fileName: 'facture été.pdf', data: PDF }] })
    const attachment = await prisma().attachment.findFirstOrThrow({ where: { conversationId: c.id } })
    const message = await readApi.get(`/messages/${attachment.messageId}`)
    expect(message.status).toBe(200)
    expect(message.body.attachments[0].id).toBe(attachment.id)
    const file = await readApi.get(`/attachments/${attachment.id}`)
    expect(file.status).toBe(200)
    expect(file.headers.get('content-type')).toBe('application/octet-stream')
    expect(file.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent('facture été.pdf')}`)
    expect(file.bytes.equals(PDF)).toBe(true)
  })

  it('is a 404 for the thread, message and file of a conversation outside the caller’s folders', async () => {
    expectHidden(await readApi.get(`/conversations/${hidden.number}/messages`))
    expectHidden(await readApi.get(`/messages/${hidden.messageId}`))
    expectHidden(await readApi.get(`/attachments/${hidden.attachmentId}`))
    expectHidden(await readApi.get('/attachments/99999999'))
  })

  describe('upload', () => {
    const form = (data: Buffer | null, name = 'photo.pdf', text?: string) => {
      const f = new FormData()
      if (text !== undefined) f.append('text', text)
      if (data) f.append('file', new Blob([new Uint8Array(data)]), name)
      return f
    }

    it('attaches the file to an internal comment of the conversation', async () => {
      const c = await make()
      const res = await api.call('POST', `/conversations/${c.number}/attachments`, { form: form(PDF, 'scan.pdf', 'The scan the customer sent by post') })
      expect(res.status).toBe(201)
      expect(res.body).toMatchObject({ kind: 'internal', text: 'The scan the customer sent by post', author: { type: 'agent', id: ada.id } })
      expect(res.body.attachments).toEqual([expect.objectContaining({ fileName: 'scan.pdf', mimeType: 'application/pdf', size: PDF.length })])
      const download = await api.get(`/attachments/${res.body.attachments[0].id}`)
      expect(download.bytes.equals(PDF)).toBe(true)
      // The customer is told nothing; the status stays.
      expect(await prisma().outboxEmail.count({ where: { conversationId: c.id } })).toBe(0)
      expect((await api.get(`/conversations/${c.number}`)).body.status).toBe('new')
      const alone = await api.call('POST', `/conversations/${c.number}/attachments`, { form: form(PDF) })
      expect(alone.status).toBe(201)
      expect(alone.body.text).toBe('')
    })

    it('refuses a request without a file (422) and a file over the size limit (413)', async () => {
      const c = await make()
      const none = await api.call('POST', `/conversations/${c.number}/attachments`, { form: form(null, 'x', 'no file') })
      expect(none.status).toBe(422)
      expect(none.body.errors[0].pointer).toBe('/body/file')
      await prisma().setting.upsert({ where: { key: 'attachmentMaxBytes' }, create: { key: 'attachmentMaxBytes', value: 2048 }, update: { value: 2048 } })
      try {
        const big = await api.call('POST', `/conversations/${c.number}/attachments`, { form: form(Buffer.alloc(4096, 1), 'big.bin') })
        expect(big.status).toBe(413)
        expect(big.body.type).toBe('/api/v1/reference#problem-payload-too-large')
        expect(big.body.detail).toContain('big.bin')
      } finally {
        await prisma().setting.delete({ where: { key: 'attachmentMaxBytes' } })
      }
      expect(await prisma().message.count({ where: { conversationId: c.id } })).toBe(1)
    })

    it('is refused to a read-only token, and a 404 outside the caller’s folders', async () => {
      const c = await make()
      const read = await readApi.call('POST', `/conversations/${c.number}/attachments`, { form: form(PDF) })
      expect(read.status).toBe(403)
      expect(read.body.type).toBe('/api/v1/reference#problem-insufficient-scope')
      expectHidden(await api.call('POST', `/conversations/${hidden.number}/attachments`, { form: form(PDF) }))
      expect(await prisma().message.count({ where: { conversationId: c.id } })).toBe(1)
    })
  })
})
