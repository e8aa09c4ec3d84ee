import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { asCustomer, type Actor } from '../../../../src/domain/actor.ts'
import { addCustomerMessage } from '../../../../src/domain/conversations/commands/addCustomerMessage.ts'
import { buildAgent, buildConversation, buildFolder, PASSWORD } from '../../../helpers/factories.ts'
import { csrfFrom, signIn, startTestApp, type TestApp } from '../../../helpers/testApp.ts'

type Client = Awaited<ReturnType<typeof signIn>>['client']

/** The flash a page shows (its message), if any. */
const flashOf = (html: string) => /class="flash[^"]*"[^>]*>\s*(?:<[^>]+>\s*)*([^<]+)/.exec(html)?.[1]?.trim()

describe('merge and split routes', () => {
  let app: TestApp
  let ada: Actor
  let adaClient: Client
  let ottoClient: Client
  let folderId: number
  let otherFolderId: number
  let n = 0

  beforeAll(async () => {
    app = await startTestApp()
    const prisma = app.ctx.db.prisma
    folderId = (await buildFolder(prisma, 'Support')).id
    otherFolderId = (await buildFolder(prisma, 'Billing')).id
    ada = await buildAgent(prisma, { name: 'Ada', folderIds: [folderId] })
    const otto = await buildAgent(prisma, { name: 'Otto', folderIds: [otherFolderId] })
    adaClient = (await signIn(app, ada.email, PASSWORD)).client
    ottoClient = (await signIn(app, otto.email, PASSWORD)).client
  })
  afterAll(async () => {
    await app?.close()
  })

  const prisma = () => app.ctx.db.prisma
  async function pair(targetFolderId = folderId) {
    const customerEmail = `web-merge-${++n}@customer.example`
    const source = await buildConversation(app.ctx.domain, ada, { folderId, customerEmail, subject: 'Lamp broken' })
    const target = await buildConversation(app.ctx.domain, ada, { folderId, customerEmail, subject: 'Lamp order' })
    if (targetFolderId !== folderId) await prisma().conversation.update({ where: { id: target.id }, data: { folderId: targetFolderId } })
    return { source, target }
  }
  const tokenFor = async (client: Client, number: number) => csrfFrom((await client.get(`/conversations/${number}`)).text)

  it('offers the customer’s other conversations in the sidebar, and merges with "I understand" ticked', async () => {
    const { source, target } = await pair()
    const page = await adaClient.get(`/conversations/${source.number}`)
    expect(page.text).toContain('Merge into another conversation')
    expect(page.text).toMatch(new RegExp(`<option value="${target.number}">#${target.number} Lamp order</option>`))

    const token = csrfFrom(page.text)
    const unconfirmed = await adaClient
      .post(`/conversations/${source.number}/merge`)
      .type('form')
      .send({ _csrf: token, into: String(target.number) })
    expect(unconfirmed.status).toBe(303)
    expect(unconfirmed.headers.location).toBe(`/conversations/${source.number}`)
    expect(flashOf((await adaClient.get(`/conversations/${source.number}`)).text)).toBe('Tick “I understand” to confirm the merge.')
    expect((await prisma().conversation.findUniqueOrThrow({ where: { id: source.id } })).mergedIntoId).toBeNull()

    const merged = await adaClient
      .post(`/conversations/${source.number}/merge`)
      .type('form')
      .send({ _csrf: token, into: '', intoNumber: `#${target.number}`, understand: '1' })
    expect(merged.status).toBe(303)
    expect(merged.headers.location).toBe(`/conversations/${target.number}`)
    const survivor = await adaClient.get(`/conversations/${target.number}`)
    expect(flashOf(survivor.text)).toBe(`#${source.number} was merged into this conversation.`)
    expect(survivor.text).toContain(`(from #${source.number})`)

    // The merged one says where it went, and offers no merge any more.
    const mergedPage = await adaClient.get(`/conversations/${source.number}`)
    expect(mergedPage.text).toContain(`This conversation was merged into <a href="/conversations/${target.number}">#${target.number}</a>.`)
    expect(mergedPage.text).not.toContain('id="merge-form"')
  })

  it('says what is wrong: no conversation chosen, an unknown or hidden number, another customer', async () => {
    const { source } = await pair()
    const { target: hidden } = await pair(otherFolderId)
    const stranger = await buildConversation(app.ctx.domain, ada, { folderId, customerEmail: `stranger-${n}@customer.example` })
    const token = await tokenFor(adaClient, source.number)
    const post = (fields: Record<string, string>) =>
      adaClient
        .post(`/conversations/${source.number}/merge`)
        .type('form')
        .send({ _csrf: token, understand: '1', ...fields })
    for (const [fields, message] of [
      [{}, 'Choose the conversation to merge this one into.'],
      [{ intoNumber: '999999' }, 'There is no conversation #999999 that you can open.'],
      [{ intoNumber: String(hidden.number) }, `There is no conversation #${hidden.number} that you can open.`],
      [{ into: String(stranger.number) }, 'Only conversations of the same customer can be merged.'],
      [{ into: String(source.number) }, 'A conversation cannot be merged into itself.'],
    ] as const) {
      const res = await post(fields)
      expect(res.status).toBe(303)
      expect(res.headers.location).toBe(`/conversations/${source.number}`)
      expect(flashOf((await adaClient.get(`/conversations/${source.number}`)).text), JSON.stringify(fields)).toBe(message)
    }
    expect((await prisma().conversation.findUniqueOrThrow({ where: { id: source.id } })).mergedIntoId).toBeNull()
  })

  it('an agent outside the folder can neither merge nor split: 404, nothing changed', async () => {
    const { source, target } = await pair()
    const message = await addCustomerMessage(app.ctx.domain, asCustomer(source.customerId), { conversationId: source.id, text: 'Second question.' })
    const token = csrfFrom((await ottoClient.get('/conversations')).text)
    const merge = await ottoClient
      .post(`/conversations/${source.number}/merge`)
      .type('form')
      .send({ _csrf: token, into: String(target.number), understand: '1' })
    expect(merge.status).toBe(404)
    const split = await ottoClient.post(`/conversations/${source.number}/messages/${message.message.id}/split`).type('form').send({ _csrf: token })
    expect(split.status).toBe(404)
    expect((await ottoClient.get(`/conversations/${source.number}/merge`)).status).toBe(404)
    expect((await prisma().conversation.findUniqueOrThrow({ where: { id: source.id } })).mergedIntoId).toBeNull()
    expect((await prisma().message.findUniqueOrThrow({ where: { id: message.message.id } })).conversationId).toBe(source.id)
  })

  it('splits a customer message from its button into a new conversation, and refuses the first one', async () => {
    const { source } = await pair()
    const { message } = await addCustomerMessage(app.ctx.domain, asCustomer(source.customerId), { conversationId: source.id, text: 'Unrelated: my invoice.' })
    const page = await adaClient.get(`/conversations/${source.number}`)
    const first = await prisma().message.findFirstOrThrow({ where: { conversationId: source.id }, orderBy: { id: 'asc' } })
    expect(page.text).toContain(`action="/conversations/${source.number}/messages/${message.id}/split"`)
    expect(page.text).not.toContain(`action="/conversations/${source.number}/messages/${first.id}/split"`)

    const token = csrfFrom(page.text)
    const refused = await adaClient.post(`/conversations/${source.number}/messages/${first.id}/split`).type('form').send({ _csrf: token })
    expect(refused.headers.location).toBe(`/conversations/${source.number}`)
    expect(flashOf((await adaClient.get(`/conversations/${source.number}`)).text)).toBe('The first message stays: it is what this conversation is about.')

    const res = await adaClient.post(`/conversations/${source.number}/messages/${message.id}/split`).type('form').send({ _csrf: token })
    expect(res.status).toBe(303)
    const created = await prisma().conversation.findFirstOrThrow({ where: { messages: { some: { id: message.id } } } })
    expect(res.headers.location).toBe(`/conversations/${created.number}`)
    const newPage = await adaClient.get(`/conversations/${created.number}`)
    expect(flashOf(newPage.text)).toBe(`The message is now conversation #${created.number}.`)
    expect(newPage.text).toContain('Unrelated: my invoice.')
    // A GET of the form's address is the conversation.
    const get = await adaClient.get(`/conversations/${source.number}/messages/${message.id}/split`)
    expect(get.status).toBe(303)
    expect(get.headers.location).toBe(`/conversations/${source.number}`)
  })
})
