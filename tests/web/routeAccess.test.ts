import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addInternalComment } from '../../src/domain/conversations/commands/addInternalComment.ts'
import { addTag } from '../../src/domain/conversations/commands/tagConversation.ts'
import { createApiToken } from '../../src/domain/apiTokens/apiTokens.ts'
import { buildAgent, buildConversation, buildFolder, buildTag, PASSWORD } from '../helpers/factories.ts'
import { enumerateRoutes } from '../helpers/routes.ts'
import { csrfFrom, signIn, startTestApp, type TestApp } from '../helpers/testApp.ts'

// Routes anyone may call without an agent's folder rights: sign-in pages, customer pages behind
// signed links, the machine endpoint with its own secret. Everything else must apply the policy.
const PUBLIC = [
  /^\/(setup|login|logout|forgot-password|healthz|contact)$/,
  /^\/reset-password\//,
  /^\/invite\//,
  /^\/s\//,
  /^\/r\//,
  /^\/rate\//,
  /^\/inbound\/raw$/,
  // The scripts' texts of a language: the same for everyone, like the rest of /public.
  /^\/public\/texts\//,
  // The API takes tokens, never the session cookie: tests/web/api/routeAccess.test.ts checks every
  // one of its routes with every scope (its description and reference page are public).
  /^\/api\/v1\//,
]

describe('folder access on every route', () => {
  let app: TestApp
  let secretSubject: string
  let ids: Record<string, string>
  let outsider: Awaited<ReturnType<typeof signIn>>['client']
  let outsiderCookie: string
  let adminActor: Awaited<ReturnType<typeof buildAgent>>

  beforeAll(async () => {
    app = await startTestApp()
    const prisma = app.ctx.db.prisma
    const [mine, theirs] = [await buildFolder(prisma, 'Mine'), await buildFolder(prisma, 'Theirs')]
    const admin = await buildAgent(prisma, { role: 'admin' })
    const insider = await buildAgent(prisma, { folderIds: [theirs.id], name: 'Insider' })
    const agent = await buildAgent(prisma, { folderIds: [mine.id], name: 'Outsider' })
    secretSubject = 'Zanzibar merger confidential'
    const c = await buildConversation(app.ctx.domain, admin, {
      folderId: theirs.id,
      subject: secretSubject,
      mode: 'send',
      assigneeId: insider.id,
      text: 'Xylophone quarterly numbers',
      files: [{ fileName: 'numbers.pdf', data: Buffer.from('%PDF-1.4 quarterly') }],
    })
    await addInternalComment(app.ctx.domain, admin, { conversationId: c.id, text: 'Quokka internal remark' })
    const tag = await buildTag(prisma, 'vip')
    await addTag(app.ctx.domain, admin, { conversationId: c.id, tagId: tag.id })
    const attachment = await prisma.attachment.findFirstOrThrow({ where: { conversationId: c.id } })
    const message = await prisma.message.findFirstOrThrow({ where: { conversationId: c.id, kind: 'agent' } })
    ids = {
      number: String(c.number),
      conversationId: String(c.id),
      attachmentId: String(attachment.id),
      messageId: String(message.id),
      // A saved search of the insider's: no other agent may delete it.
      // A saved reply of the hidden folder ('Quokka' would be a leak on the list page).
      savedReplyId: String((await prisma.savedReply.create({ data: { name: 'Quokka reply', bodyHtml: '<p>Quokka</p>', folderId: theirs.id } })).id),
      viewId: String((await prisma.savedView.create({ data: { agentId: insider.id, name: 'Insider view', query: 'tab=all&q=Zanzibar' } })).id),
      tagId: String(tag.id),
      folderId: String(theirs.id),
      ownFolderId: String(mine.id),
      insiderId: String(insider.id),
      agentId: String(agent.id),
      // A notification of the insider's: no other agent may read or mark it.
      notificationId: String(
        (await prisma.notification.create({ data: { agentId: insider.id, kind: 'mention', conversationId: c.id, eventPosition: 1n } })).id,
      ),
      customerId: String(c.customerId),
      addressId: String((await prisma.customerAddress.findFirstOrThrow({ where: { customerId: c.customerId } })).id),
      inboundId: String(
        (await prisma.inboundMessage.create({ data: { source: 'http', raw: Buffer.from('From: x@example.com'), size: 19, status: 'blocked' } })).id,
      ),
      // A personal API token of the insider's: no other agent may revoke it.
      tokenId: String((await createApiToken(app.ctx.domain, insider, { name: 'Insider token', level: 'read' })).summary.id),
      // Similar conversations: the reply of another hidden conversation (the same one will do).
      otherNumber: String(c.number),
    }
    adminActor = admin
    const signedIn = await signIn(app, agent.email, PASSWORD)
    outsider = signedIn.client
    outsiderCookie = ([] as string[])
      .concat(signedIn.res.headers['set-cookie'] ?? [])
      .map((c) => c.split(';')[0])
      .join('; ')
  })
  afterAll(async () => {
    await app?.close()
  })

  /** Everything about the conversation that any route could change. */
  async function snapshot() {
    const prisma = app.ctx.db.prisma
    const id = Number(ids.conversationId)
    const [conversation, customer, messages, history, tags, attachments, inFolder, outbox] = await Promise.all([
      prisma.conversation.findUniqueOrThrow({ where: { id } }),
      prisma.customer.findFirstOrThrow({ where: { conversations: { some: { id } } } }),
      prisma.message.count({ where: { conversationId: id } }),
      prisma.historyEvent.count({ where: { conversationId: id } }),
      prisma.conversationTag.count({ where: { conversationId: id } }),
      prisma.attachment.count({ where: { conversationId: id } }),
      prisma.conversation.count({ where: { folderId: Number(ids.folderId) } }),
      prisma.outboxEmail.count(),
    ])
    return JSON.stringify({ conversation, customer, messages, history, tags, attachments, inFolder, outbox })
  }

  function fill(path: string) {
    return path
      .replace(':number', ids.number!)
      .replace(':customerId', ids.customerId!)
      .replace(':addressId', ids.addressId!)
      .replace(':inboundId', ids.inboundId!)
      .replace(':otherNumber', ids.otherNumber!)
      .replace(':tagId', ids.tagId!)
      .replace(':savedReplyId', ids.savedReplyId!)
      .replace(':messageId', ids.messageId!)
      .replace(':notificationId', ids.notificationId!)
      .replace(':name', 'numbers.pdf')
      .replace(':tokenId', ids.tokenId!)
      .replace(':token', 'x')
      .replace(':answer', 'solved')
      .replace(':table', 'volume')
      .replace(
        ':id',
        path.startsWith('/views')
          ? ids.viewId!
          : path.startsWith('/attachments')
            ? ids.attachmentId!
            : path.includes('/agents/')
              ? ids.insiderId!
              : ids.folderId!,
      )
  }

  it('finds the routes in the router', () => {
    const routes = enumerateRoutes(app.app)
    expect(routes.length).toBeGreaterThan(30)
    expect(routes).toContainEqual({ method: 'get', path: '/conversations/:number' })
  })

  it('lets an agent outside the folder see, count, search, open, download, hear of or change nothing of its conversations', async () => {
    const routes = enumerateRoutes(app.app).filter((r) => !PUBLIC.some((p) => p.test(r.path)))
    const token = csrfFrom((await outsider.get('/conversations')).text)
    const body = {
      _csrf: token,
      folderId: ids.folderId,
      conversationId: ids.conversationId,
      ids: ids.conversationId,
      assigneeId: ids.agentId,
      tagId: ids.tagId,
      status: 'closed',
      type: 'reply',
      text: 'sneaky write',
      action: 'close',
      customerEmail: 'x@example.com',
      subject: 'sneaky',
      mode: 'record',
      name: 'sneaky',
      composing: 'true',
      locale: 'fr',
    }
    const query = `?tab=all&folder=${ids.folderId}&q=Zanzibar&tag=${ids.tagId}&assignee=${ids.insiderId}`
    const checked: string[] = []
    for (const route of routes) {
      const before = await snapshot()
      const url = fill(route.path) + (route.method === 'get' ? query : '')
      let res: request.Response
      if (route.path === '/events') {
        // A stream: read what arrives in a moment while something happens in the hidden folder.
        const received = await readEventsDuring(url, async () => {
          await addInternalComment(app.ctx.domain, adminActor, { conversationId: Number(ids.conversationId), text: 'ping' })
          await buildConversation(app.ctx.domain, adminActor, { folderId: Number(ids.ownFolderId), subject: 'visible one' })
        })
        expect(received, 'the stream is open').toContain('retry:')
        // Events of its own folder arrive; those of the hidden folder do not.
        expect(received).toContain('conversation.created')
        expect(received, 'events of a hidden folder').not.toContain(`"conversationId":${ids.conversationId},`)
        checked.push(`${route.method.toUpperCase()} ${route.path}`)
        continue
      }
      if (route.method === 'get') res = await outsider.get(url).set('Accept', 'text/html')
      else res = await (outsider as unknown as Record<string, (u: string) => request.Test>)[route.method]!(url).type('form').send(body)
      const text = res.text ?? ''
      const leak = [secretSubject, 'Xylophone', 'Quokka', 'quarterly'].find((w) => text.includes(w))
      expect(leak, `${route.method.toUpperCase()} ${route.path} shows ${leak}`).toBeUndefined()
      expect([200, 204, 303, 400, 403, 404], `${route.method.toUpperCase()} ${route.path} answered ${res.status}`).toContain(res.status)
      if (res.status === 303) expect(res.headers.location, `${route.path} redirects into the hidden conversation`).not.toBe(`/conversations/${ids.number}`)
      expect(await snapshot(), `${route.method.toUpperCase()} ${route.path} changed the hidden conversation`).toBe(before)
      checked.push(`${route.method.toUpperCase()} ${route.path}`)
    }
    expect(checked.length).toBe(routes.length)
    expect(await app.ctx.db.prisma.savedView.count({ where: { id: Number(ids.viewId) } }), 'another agent’s saved search was deleted').toBe(1)
    expect(
      await app.ctx.db.prisma.notification.count({ where: { id: Number(ids.notificationId), readAt: null } }),
      'another agent’s notification was read',
    ).toBe(1)
    expect(await app.ctx.db.prisma.apiToken.count({ where: { id: Number(ids.tokenId), revokedAt: null } }), 'another agent’s API token was revoked').toBe(1)
  })

  async function readEventsDuring(path: string, during: () => Promise<void>): Promise<string> {
    const controller = new AbortController()
    const res = await fetch(app.url + path, { headers: { cookie: outsiderCookie }, signal: controller.signal })
    const reader = res.body!.getReader()
    let text = ''
    const reading = (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read()
          if (done) break
          text += Buffer.from(value).toString()
        }
      } catch {
        // aborted below
      }
    })()
    await during()
    await new Promise((r) => setTimeout(r, 1500))
    controller.abort()
    await reading
    return text
  }
})
