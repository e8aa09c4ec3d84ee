import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addInternalComment } from '../../../src/domain/conversations/commands/addInternalComment.ts'
import { addTag } from '../../../src/domain/conversations/commands/tagConversation.ts'
import type { ApiScope } from '../../../src/domain/apiTokens/apiTokens.ts'
import { API_OPERATIONS } from '../../../src/web/api/operations.ts'
import type { AnyOperation } from '../../../src/web/api/operation.ts'
import { apiClient, buildApiToken, type ApiClient } from '../../helpers/apiClient.ts'
import { buildAgent, buildConversation, buildFolder, buildTag } from '../../helpers/factories.ts'
import { enumerateRoutes } from '../../helpers/routes.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

/**
 * Every API operation, read from the operations the router mounts, with every scope: a token
 * without the operation's scope is refused before anything happens, and a token whose agent is
 * outside a folder neither sees nor changes anything of it, whatever it asks.
 */

const SECRETS = ['Zanzibar', 'Xylophone', 'Quokka', 'quarterly']

/** A body each operation accepts as valid, so that what stops an outsider is the policy, not the validation. */
function bodyFor(op: AnyOperation, ids: Record<string, string>): unknown {
  const n = Number
  const bodies: Record<string, unknown> = {
    createConversation: { customerEmail: 'sneaky@example.com', customerName: 'Sneaky', subject: 'sneaky', text: 'sneaky write', folderId: n(ids.folderId) },
    replyToConversation: { text: 'sneaky write' },
    commentOnConversation: { text: 'sneaky write' },
    updateConversation: { status: 'closed', assigneeId: n(ids.agentId), folderId: n(ids.ownFolderId) },
    snoozeConversation: { until: null },
    mergeConversation: { into: n(ids.otherNumber) },
    createCustomer: { name: 'Sneaky', email: 'sneaky@example.com' },
    updateCustomer: { name: 'Sneaky' },
    inviteAgent: { name: 'Sneaky', email: 'sneaky-agent@example.com', role: 'agent', folderIds: [n(ids.folderId)] },
  }
  return bodies[op.operationId] ?? {}
}

/** The path parameters that name something of the hidden folder: asking for them must answer 404. */
const HIDDEN_PARAMS = ['number', 'messageId', 'attachmentId', 'savedReplyId']

describe('access to every API operation, with every scope', () => {
  let app: TestApp
  let api: ApiClient
  let ids: Record<string, string>
  const tokens: Record<string, string> = {}

  beforeAll(async () => {
    app = await startTestApp()
    const prisma = app.ctx.db.prisma
    const [mine, theirs] = [await buildFolder(prisma, 'Mine'), await buildFolder(prisma, 'Theirs')]
    const admin = await buildAgent(prisma, { role: 'admin' })
    const insider = await buildAgent(prisma, { folderIds: [theirs.id], name: 'Insider' })
    const outsider = await buildAgent(prisma, { folderIds: [mine.id], name: 'Outsider' })
    const c = await buildConversation(app.ctx.domain, admin, {
      folderId: theirs.id,
      subject: 'Zanzibar merger confidential',
      mode: 'send',
      assigneeId: insider.id,
      text: 'Xylophone quarterly numbers',
      files: [{ fileName: 'numbers.pdf', data: Buffer.from('%PDF-1.4 quarterly') }],
    })
    const other = await buildConversation(app.ctx.domain, admin, { folderId: theirs.id, subject: 'Zanzibar second', mode: 'send', text: 'Xylophone again' })
    await addInternalComment(app.ctx.domain, admin, { conversationId: c.id, text: 'Quokka internal remark' })
    const tag = await buildTag(prisma, 'vip')
    await addTag(app.ctx.domain, admin, { conversationId: c.id, tagId: tag.id })
    ids = {
      number: String(c.number),
      otherNumber: String(other.number),
      messageId: String((await prisma.message.findFirstOrThrow({ where: { conversationId: c.id, kind: 'agent' } })).id),
      attachmentId: String((await prisma.attachment.findFirstOrThrow({ where: { conversationId: c.id } })).id),
      customerId: String(c.customerId),
      agentId: String(insider.id),
      tagId: String(tag.id),
      folderId: String(theirs.id),
      ownFolderId: String(mine.id),
      savedReplyId: String((await prisma.savedReply.create({ data: { name: 'Quokka reply', bodyHtml: '<p>Quokka</p>', folderId: theirs.id } })).id),
    }
    for (const level of ['read', 'write'] as const) tokens[`outsider-${level}`] = await buildApiToken(app.ctx.domain, outsider, level)
    for (const level of ['read', 'write', 'admin'] as const) tokens[`admin-${level}`] = await buildApiToken(app.ctx.domain, admin, level)
    ids.tokenId = String((await prisma.apiToken.findFirstOrThrow({ where: { agentId: insider.id } }).catch(() => ({ id: 1 }))).id)
    api = await apiClient(app.url, null)
  })
  afterAll(async () => {
    await app?.close()
  })

  const fill = (path: string) => path.replace(/\{(\w+)\}/g, (_m, name: string) => ids[name] ?? '1')

  /** Everything about the hidden folder that any operation could change. */
  async function snapshot() {
    const prisma = app.ctx.db.prisma
    const folderId = Number(ids.folderId)
    const conversations = await prisma.conversation.findMany({ where: { folderId }, orderBy: { id: 'asc' }, include: { tags: true } })
    const [messages, events, attachments, outbox, customers, agents] = await Promise.all([
      prisma.message.count({ where: { conversation: { folderId } } }),
      prisma.event.count({ where: { folderId } }),
      prisma.attachment.count(),
      prisma.outboxEmail.count(),
      // Customers of the folder's conversations (a new customer of no folder is nobody's secret).
      prisma.customer.findMany({ where: { conversations: { some: { folderId } } }, orderBy: { id: 'asc' } }),
      prisma.agent.findMany({ orderBy: { id: 'asc' }, select: { id: true, active: true, role: true } }),
    ])
    return JSON.stringify({ conversations, messages, events, attachments, outbox, customers, agents })
  }

  async function send(client: ApiClient, op: AnyOperation) {
    const path = fill(op.path) + (op.method === 'get' ? `?folder=${ids.folderId}&folderId=${ids.folderId}&q=Zanzibar&tag=${ids.tagId}` : '')
    if (op.upload) {
      const form = new FormData()
      form.append('file', new Blob([Buffer.from('sneaky')], { type: 'text/plain' }), 'sneaky.txt')
      return client.call(op.method.toUpperCase(), path, { form })
    }
    return client.call(op.method.toUpperCase(), path, op.method === 'get' || op.method === 'delete' ? {} : { body: bodyFor(op, ids) })
  }

  it('lists the same operations as the router mounts', () => {
    const mounted = enumerateRoutes(app.app)
      .filter((r) => r.path.startsWith('/api/v1/'))
      .map((r) => `${r.method} ${r.path}`)
    const declared = API_OPERATIONS.map((o) => `${o.method} /api/v1${o.path.replace(/\{(\w+)\}/g, ':$1')}`)
    expect(mounted.filter((r) => !/openapi\.json|reference/.test(r)).sort()).toEqual(declared.sort())
  })

  it('refuses every operation without a token, or with a cookie for a token', async () => {
    for (const op of API_OPERATIONS) {
      const res = await send(api, op)
      expect(res.status, `${op.method} ${op.path}`).toBe(401)
      const withCookie = await api.call(op.method.toUpperCase(), fill(op.path), { headers: { Cookie: 'suivi.sid=s%3Aanything' } })
      expect(withCookie.status, `${op.method} ${op.path} with a cookie`).toBe(401)
    }
  })

  it('refuses every operation to a token without its scope, before doing anything', async () => {
    const levels: Record<string, ApiScope[]> = {
      'outsider-read': ['read'],
      'outsider-write': ['read', 'write'],
      'admin-read': ['read'],
      'admin-write': ['read', 'write'],
    }
    let refusals = 0
    for (const op of API_OPERATIONS) {
      for (const [name, scopes] of Object.entries(levels)) {
        if (scopes.includes(op.scope)) continue
        const before = await snapshot()
        const res = await send(api.as(tokens[name]!), op)
        expect(res.status, `${op.method} ${op.path} with ${name}`).toBe(403)
        expect(res.body.type).toBe('/api/v1/reference#problem-insufficient-scope')
        expect(await snapshot(), `${op.method} ${op.path} with ${name} changed something`).toBe(before)
        refusals++
      }
    }
    expect(refusals).toBeGreaterThan(API_OPERATIONS.filter((o) => o.scope !== 'read').length)
  })

  it('lets a token outside the folder see, find, download or change nothing of it, whatever it asks', async () => {
    const outsider = api.as(tokens['outsider-write']!)
    for (const op of API_OPERATIONS) {
      if (op.scope === 'admin') continue // refused by scope above: an agent's token never has it
      const before = await snapshot()
      const res = await send(outsider, op)
      const label = `${op.method.toUpperCase()} ${op.path}`
      const text = res.bytes.toString('utf8')
      const leak = SECRETS.find((w) => text.includes(w))
      expect(leak, `${label} shows ${leak}`).toBeUndefined()
      expect([200, 201, 204, 404, 409, 422], `${label} answered ${res.status}: ${text.slice(0, 300)}`).toContain(res.status)
      if (HIDDEN_PARAMS.some((p) => op.path.includes(`{${p}}`))) expect(res.status, `${label} must not reveal that it exists`).toBe(404)
      expect(await snapshot(), `${label} changed the hidden folder`).toBe(before)
    }
  })

  it('gives an admin’s admin token every operation (the scope and the policy agree)', async () => {
    const admin = api.as(tokens['admin-admin']!)
    for (const op of API_OPERATIONS.filter((o) => o.method === 'get')) {
      const res = await send(admin, op)
      expect([200, 404], `${op.method} ${op.path} answered ${res.status}`).toContain(res.status)
      if (HIDDEN_PARAMS.some((p) => op.path.includes(`{${p}}`))) expect(res.status, `${op.path} for an admin`).toBe(200)
    }
  })
})
