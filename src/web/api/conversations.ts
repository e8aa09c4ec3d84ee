import { z } from 'zod'
import type { Actor } from '../../domain/actor.ts'
import {
  conversationSummaries,
  findApiMessage,
  listCustomerConversations,
  missingTagIds,
  readApiConversation,
  visibleConversationByNumber,
} from '../../domain/conversations/apiConversation.ts'
import { addInternalComment } from '../../domain/conversations/commands/addInternalComment.ts'
import { assignConversation } from '../../domain/conversations/commands/assignConversation.ts'
import { createConversation } from '../../domain/conversations/commands/createConversation.ts'
import { mergeConversations } from '../../domain/conversations/commands/mergeConversations.ts'
import { moveConversation } from '../../domain/conversations/commands/moveConversation.ts'
import { replyAsAgent } from '../../domain/conversations/commands/replyAsAgent.ts'
import { setConversationStatus } from '../../domain/conversations/commands/setConversationStatus.ts'
import { snoozeConversation, wakeConversation } from '../../domain/conversations/commands/snoozeConversation.ts'
import { addTag, removeTag } from '../../domain/conversations/commands/tagConversation.ts'
import { listConversations, type ConversationRow, type ListQuery } from '../../domain/conversations/listConversations.ts'
import { UNTIL_ANSWER } from '../../domain/conversations/snooze.ts'
import { entityTag, onVersion } from '../../domain/conversations/version.ts'
import { NotFoundError, ValidationError } from '../../domain/errors.ts'
import { folderScope } from '../../domain/policy.ts'
import { schemaMessage } from '../../i18n/issueMessages.ts'
import type { AppContext } from '../context.ts'
import { API_PREFIX, Conversation, ConversationSummary, Message, conversationJson, conversationSummaryJson, messageJson } from './conversationSchemas.ts'
import { operation, pageOf, type AnyOperation } from './operation.ts'
import { together } from '../../domain/transaction.ts'

const MAX_ID = 2_147_483_647
const id = z.coerce.number().int().positive().max(MAX_ID)
const bodyId = z.number().int().positive().max(MAX_ID)

export const numberParams = z.object({ number: id.meta({ description: 'The conversation’s public number.' }) })
const tagParams = numberParams.extend({ tagId: id })

// ---------------------------------------------------------------------------------------------
// Cursors: a list position, opaque to callers (it may change form).

const RAW_CURSOR = /^\d{1,15}_\d{1,10}$/
export const encodeCursor = (raw: string) => Buffer.from(`p:${raw}`).toString('base64url')
/** The position a cursor names, as the dashboard's list writes it ("<ms>_<id>"); null: not one of ours. */
export function decodeCursor(cursor: string): string | null {
  const raw = /^p:(.+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'))?.[1]
  return raw && RAW_CURSOR.test(raw) && Number(raw.split('_')[1]) <= MAX_ID ? raw : null
}
export const cursorParam = z
  .string()
  .max(100)
  .refine((c) => decodeCursor(c) !== null, { message: schemaMessage('api.error.cursorInvalid') })
  .optional()
  .meta({ description: 'The `next` of the previous page.' })
export const limitParam = z.coerce.number().int().min(1).max(100).default(50).meta({ description: 'Items per page, 1 to 100.' })

// ---------------------------------------------------------------------------------------------
// Answers

/** The conversation as it is now, with its version as the ETag. */
async function conversationAnswer(ctx: AppContext, agent: Actor, number: number, status = 200, headers: Record<string, string> = {}) {
  const view = await readApiConversation(ctx.db.prisma, agent, number)
  return { status, body: conversationJson(view), headers: { ETag: entityTag(view.version), ...headers } }
}

/** A field the domain names otherwise (the message body is `body` there, `text` here). */
function renamed(err: unknown, names: Record<string, string>): unknown {
  if (!(err instanceof ValidationError)) return err
  const fields = Object.fromEntries(Object.entries(err.fields).map(([k, v]) => [names[k] ?? k, v]))
  return new ValidationError(err.key, fields, err.values)
}

/** A folder the caller cannot use, named in the body: invalid input rather than a missing resource. */
function folderAsField(err: unknown, field = 'folderId'): unknown {
  if (err instanceof NotFoundError && err.key === 'error.folderNotFound') return new ValidationError(err.key, { [field]: { key: err.key } })
  return err
}

const conversationResponse = (description: string) => ({ description, schema: Conversation, headers: { ETag: 'The conversation’s version, for If-Match.' } })
const messageCreated = (description: string) => ({ description, schema: Message, headers: { Location: 'The message’s address in the API.' } })

const BODY_FIELDS = { body: 'text', files: 'file' }

// ---------------------------------------------------------------------------------------------
// The list

const LIST_STATUSES = ['all', 'new', 'open', 'pending', 'closed', 'snoozed'] as const

const listQuery = z
  .object({
    status: z
      .enum(LIST_STATUSES)
      .default('all')
      .meta({ description: 'As the dashboard’s tabs: snoozed conversations are listed under `snoozed` only; `all` is every other one.' }),
    folder: id.optional().meta({ description: 'A folder id.' }),
    assignee: z
      .union([z.enum(['me', 'none']), id])
      .optional()
      .meta({ description: '`me`, `none` (unassigned) or an agent id.' }),
    tag: id.optional().meta({ description: 'A tag id.' }),
    customer: id.optional().meta({ description: 'A customer id: their conversations only (not combined with `q`).' }),
    q: z.string().trim().max(200).optional().meta({
      description:
        'Search text, as in the dashboard’s search box: words, "phrases", prefix*, and the filters from:, status:, tag:, folder:, assignee:, before:, after:.',
    }),
    limit: limitParam,
    after: cursorParam,
  })
  .superRefine((q, issues) => {
    if (q.customer !== undefined && q.q) issues.addIssue({ code: 'custom', path: ['customer'], message: schemaMessage('api.conversations.customerWithSearch') })
  })

type ListInput = z.output<typeof listQuery>

/** A row's cursor as the dashboard's list reads it: its time in the list's order (the wake time in Snoozed) and id. */
function rowCursor(row: ConversationRow, snoozed: boolean): string {
  const at = snoozed ? (row.snooze?.until ?? UNTIL_ANSWER) : row.lastActivityAt
  return `${at.getTime()}_${row.id}`
}

/**
 * The dashboard's own list (pages of its fixed size), read on until `limit` rows: the same
 * filters, search and order, so the API never lists what the dashboard would not.
 */
async function dashboardPage(ctx: AppContext, agent: Actor, q: ListInput): Promise<{ ids: number[]; next: string | null }> {
  const prisma = ctx.db.prisma
  const scope = await folderScope(prisma, agent)
  const base: ListQuery = {
    tab: q.status,
    folder: q.folder,
    assignee: q.assignee === 'me' ? agent.id : q.assignee,
    tag: q.tag,
    q: q.q || undefined,
    before: undefined,
  }
  const rows: ConversationRow[] = []
  let after = q.after ? decodeCursor(q.after)! : undefined
  for (;;) {
    const page = await listConversations(prisma, agent, scope, { ...base, after })
    rows.push(...page.rows)
    if (rows.length > q.limit || (rows.length === q.limit && page.nextCursor)) {
      const kept = rows.slice(0, q.limit)
      return { ids: kept.map((r) => r.id), next: encodeCursor(rowCursor(kept.at(-1)!, q.status === 'snoozed')) }
    }
    if (rows.length === q.limit || !page.nextCursor || page.rows.length === 0) return { ids: rows.map((r) => r.id), next: null }
    after = page.nextCursor
  }
}

async function customerPage(ctx: AppContext, agent: Actor, q: ListInput & { customer: number }) {
  const raw = q.after ? decodeCursor(q.after) : null
  const [ms, lastId] = raw ? raw.split('_').map(Number) : []
  const page = await listCustomerConversations(ctx.db.prisma, agent, {
    customerId: q.customer,
    status: q.status,
    folder: q.folder,
    assignee: q.assignee === 'me' ? agent.id : q.assignee,
    tag: q.tag,
    after: raw ? { lastActivityAt: new Date(ms!), id: lastId! } : undefined,
    limit: q.limit,
  })
  return { ids: page.ids, next: page.more && page.last ? encodeCursor(`${page.last.lastActivityAt.getTime()}_${page.last.id}`) : null }
}

// ---------------------------------------------------------------------------------------------
// Bodies

const messageText = {
  text: z.string().max(1_000_000).optional().meta({ description: 'Plain text (paragraphs by blank lines). `text` or `html` is required.' }),
  html: z.string().max(10_000_000).optional().meta({ description: 'Rich text; sanitised on the server. Wins over `text` when it shows anything.' }),
}

const addresses = z.array(z.email().max(254)).max(20)

const createBody = z.object({
  customerEmail: z.email().max(254),
  customerName: z.string().trim().max(200).optional(),
  subject: z.string().trim().min(1).max(300),
  folderId: bodyId,
  assigneeId: bodyId.nullable().optional(),
  ...messageText,
  tagIds: z.array(bodyId).max(50).optional().meta({ description: 'Tags to put on it.' }),
  mode: z
    .enum(['record', 'send'])
    .default('record')
    .meta({ description: 'record (default): the customer’s request, noted down (status new). send: a message e-mailed to the customer (status pending).' }),
})

const replyBody = z.object({
  ...messageText,
  cc: addresses.optional().meta({ description: 'Copies; absent: the conversation’s own; empty: none from now on.' }),
  bcc: addresses.optional().meta({ description: 'Blind copies; absent: the conversation’s own; empty: none from now on.' }),
  statusAfter: z.enum(['pending', 'open', 'closed']).optional().meta({ description: 'The status once sent; default pending.' }),
})

const commentBody = z.object(messageText)

const patchBody = z
  .object({
    status: z.enum(['new', 'open', 'pending', 'closed']).optional(),
    assigneeId: bodyId.nullable().optional().meta({ description: 'An agent of the conversation’s folder; null: nobody.' }),
    folderId: bodyId.optional().meta({ description: 'Moved there; an assignee who cannot work there is unassigned.' }),
  })
  .refine((b) => b.status !== undefined || b.assigneeId !== undefined || b.folderId !== undefined, {
    message: schemaMessage('api.conversations.nothingToChange'),
  })

const snoozeBody = z.object({
  until: z.iso.datetime({ offset: true }).nullable().meta({ description: 'When it comes back (at most a year ahead); null: when the customer answers.' }),
})

const mergeBody = z.object({ into: bodyId.meta({ description: 'The number of the conversation that stays; both must be of the same customer.' }) })

// ---------------------------------------------------------------------------------------------

export const conversationOperations: AnyOperation[] = [
  operation({
    method: 'get',
    path: '/conversations',
    operationId: 'listConversations',
    summary: 'List conversations',
    description:
      'The dashboard’s list: within the caller’s folders, filtered and searched as there, latest activity first (in `snoozed`: those that wake first).',
    tag: 'Conversations',
    scope: 'read',
    query: listQuery,
    responses: { 200: { description: 'A page of conversations.', schema: pageOf(ConversationSummary).meta({ id: 'ConversationPage' }) } },
    async handler({ ctx, agent, query }) {
      const page =
        query.customer !== undefined ? await customerPage(ctx, agent, { ...query, customer: query.customer }) : await dashboardPage(ctx, agent, query)
      const rows = await conversationSummaries(ctx.db.prisma, agent, page.ids)
      return { body: { items: rows.map(conversationSummaryJson), next: page.next } }
    },
  }),
  operation({
    method: 'post',
    path: '/conversations',
    operationId: 'createConversation',
    summary: 'Create a conversation for a customer',
    description: 'Records a customer’s request (or sends them a first message) in a folder of the caller’s; the customer is found by address or created.',
    tag: 'Conversations',
    scope: 'write',
    body: createBody,
    responses: {
      201: { ...conversationResponse('The conversation created.'), headers: { ETag: 'The conversation’s version.', Location: 'The conversation’s address.' } },
    },
    async handler({ ctx, agent, body }) {
      const tagIds = [...new Set(body.tagIds ?? [])]
      const missing = await missingTagIds(ctx.db.prisma, tagIds)
      if (missing.length) {
        const values = { ids: missing.join(', ') }
        throw new ValidationError('api.conversations.tagsNotFound', { tagIds: { key: 'api.conversations.tagsNotFound', values } }, values)
      }
      // The tags were checked above; one deleted in the moment between is the only way a tag can
      // fail here, and then the conversation stands (a retry with the same Idempotency-Key gets
      // this answer, never a second conversation).
      let created
      try {
        ;({ conversation: created } = await createConversation(ctx.domain, agent, {
          customerEmail: body.customerEmail,
          customerName: body.customerName ?? '',
          subject: body.subject,
          folderId: body.folderId,
          assigneeId: body.assigneeId ?? null,
          text: body.text,
          html: body.html,
          mode: body.mode,
        }))
      } catch (err) {
        throw folderAsField(renamed(err, BODY_FIELDS))
      }
      for (const tagId of tagIds) await addTag(ctx.domain, agent, { conversationId: created.id, tagId })
      return conversationAnswer(ctx, agent, created.number, 201, { Location: `${API_PREFIX}/conversations/${created.number}` })
    },
  }),
  operation({
    method: 'get',
    path: '/conversations/{number}',
    operationId: 'getConversation',
    summary: 'Get a conversation',
    tag: 'Conversations',
    scope: 'read',
    params: numberParams,
    responses: { 200: conversationResponse('The conversation.') },
    async handler({ ctx, agent, params }) {
      return conversationAnswer(ctx, agent, params.number)
    },
  }),
  operation({
    method: 'patch',
    path: '/conversations/{number}',
    operationId: 'updateConversation',
    summary: 'Change status, assignee or folder',
    description:
      'Each field is optional; given together, they apply as one change (the folder, then the assignee, then the status), all or none. With If-Match, nothing changes unless the conversation is still at that version.',
    tag: 'Conversations',
    scope: 'write',
    params: numberParams,
    body: patchBody,
    responses: { 200: conversationResponse('The conversation after the change.') },
    async handler({ ctx, agent, params, body, ifMatch }) {
      const { id: conversationId } = await visibleConversationByNumber(ctx.db.prisma, agent, params.number)
      // One change: the fields apply together or not at all. The version asked for is checked by
      // the first command, under its lock; the next ones follow from it.
      let domain = onVersion(ctx.domain, ifMatch)
      const changed = () => (domain = ctx.domain)
      await together(ctx.domain, async () => {
        if (body.folderId !== undefined) {
          await moveConversation(domain, agent, { conversationId, folderId: body.folderId }).catch((err) => Promise.reject(folderAsField(err)))
          changed()
        }
        if (body.assigneeId !== undefined) {
          await assignConversation(domain, agent, { conversationId, assigneeId: body.assigneeId })
          changed()
        }
        if (body.status !== undefined) await setConversationStatus(domain, agent, { conversationId, status: body.status })
      })
      return conversationAnswer(ctx, agent, params.number)
    },
  }),
  operation({
    method: 'post',
    path: '/conversations/{number}/replies',
    operationId: 'replyToConversation',
    summary: 'Reply to the customer',
    description:
      'A public reply, e-mailed to the customer (with the copies) through the outbox; the conversation becomes pending unless `statusAfter` says otherwise.',
    tag: 'Conversations',
    scope: 'write',
    params: numberParams,
    body: replyBody,
    responses: { 201: messageCreated('The reply.') },
    async handler({ ctx, agent, params, body, ifMatch }) {
      const conversation = await visibleConversationByNumber(ctx.db.prisma, agent, params.number)
      try {
        const sent = await replyAsAgent(onVersion(ctx.domain, ifMatch), agent, {
          conversationId: conversation.id,
          text: body.text,
          html: body.html,
          cc: body.cc,
          bcc: body.bcc,
          statusAfter: body.statusAfter,
        })
        return messageAnswer(ctx, agent, sent.message.id)
      } catch (err) {
        throw renamed(err, BODY_FIELDS)
      }
    },
  }),
  operation({
    method: 'post',
    path: '/conversations/{number}/comments',
    operationId: 'commentOnConversation',
    summary: 'Add an internal comment',
    description: 'A note for the team: never e-mailed or shown to the customer; the status does not change. @name mentions notify agents.',
    tag: 'Conversations',
    scope: 'write',
    params: numberParams,
    body: commentBody,
    responses: { 201: messageCreated('The comment.') },
    async handler({ ctx, agent, params, body, ifMatch }) {
      const conversation = await visibleConversationByNumber(ctx.db.prisma, agent, params.number)
      try {
        const { message } = await addInternalComment(onVersion(ctx.domain, ifMatch), agent, {
          conversationId: conversation.id,
          text: body.text,
          html: body.html,
        })
        return messageAnswer(ctx, agent, message.id)
      } catch (err) {
        throw renamed(err, BODY_FIELDS)
      }
    },
  }),
  operation({
    method: 'put',
    path: '/conversations/{number}/tags/{tagId}',
    operationId: 'tagConversation',
    summary: 'Put a tag on a conversation',
    description: 'Nothing changes if it already has the tag.',
    tag: 'Conversations',
    scope: 'write',
    params: tagParams,
    responses: { 200: conversationResponse('The conversation with the tag.') },
    async handler({ ctx, agent, params, ifMatch }) {
      const { id: conversationId } = await visibleConversationByNumber(ctx.db.prisma, agent, params.number)
      await addTag(onVersion(ctx.domain, ifMatch), agent, { conversationId, tagId: params.tagId })
      return conversationAnswer(ctx, agent, params.number)
    },
  }),
  operation({
    method: 'delete',
    path: '/conversations/{number}/tags/{tagId}',
    operationId: 'untagConversation',
    summary: 'Take a tag off a conversation',
    description: 'Nothing changes if it does not have the tag.',
    tag: 'Conversations',
    scope: 'write',
    params: tagParams,
    responses: { 200: conversationResponse('The conversation without the tag.') },
    async handler({ ctx, agent, params, ifMatch }) {
      const { id: conversationId } = await visibleConversationByNumber(ctx.db.prisma, agent, params.number)
      await removeTag(onVersion(ctx.domain, ifMatch), agent, { conversationId, tagId: params.tagId })
      return conversationAnswer(ctx, agent, params.number)
    },
  }),
  operation({
    method: 'post',
    path: '/conversations/{number}/snooze',
    operationId: 'snoozeConversation',
    summary: 'Snooze a conversation',
    description: 'Hidden from the lists (but Snoozed) until a moment or until the customer answers; snoozing again moves the moment.',
    tag: 'Conversations',
    scope: 'write',
    params: numberParams,
    body: snoozeBody,
    responses: { 200: conversationResponse('The snoozed conversation.') },
    async handler({ ctx, agent, params, body, ifMatch }) {
      const { id: conversationId } = await visibleConversationByNumber(ctx.db.prisma, agent, params.number)
      await snoozeConversation(onVersion(ctx.domain, ifMatch), agent, { conversationId, until: body.until === null ? null : new Date(body.until) })
      return conversationAnswer(ctx, agent, params.number)
    },
  }),
  operation({
    method: 'delete',
    path: '/conversations/{number}/snooze',
    operationId: 'wakeConversation',
    summary: 'Wake a snoozed conversation',
    description: 'Back in its list where it was; nothing changes if it was not snoozed.',
    tag: 'Conversations',
    scope: 'write',
    params: numberParams,
    responses: { 200: conversationResponse('The conversation, awake.') },
    async handler({ ctx, agent, params, ifMatch }) {
      const { id: conversationId } = await visibleConversationByNumber(ctx.db.prisma, agent, params.number)
      await wakeConversation(onVersion(ctx.domain, ifMatch), agent, { conversationId, reason: 'agent' })
      return conversationAnswer(ctx, agent, params.number)
    },
  }),
  operation({
    method: 'post',
    path: '/conversations/{number}/merge',
    operationId: 'mergeConversation',
    summary: 'Merge into another conversation',
    description:
      'Moves this conversation’s messages, files and tags into the conversation `into` (of the same customer), which stays; this one is closed and points to it.',
    tag: 'Conversations',
    scope: 'write',
    params: numberParams,
    body: mergeBody,
    responses: { 200: conversationResponse('The conversation merged into (the one that stays).') },
    async handler({ ctx, agent, params, body, ifMatch }) {
      // The source first: outside the caller's folders it is a 404, whatever the body says.
      const source = await readApiConversation(ctx.db.prisma, agent, params.number)
      const target = await visibleConversationByNumber(ctx.db.prisma, agent, body.into).catch((err) => {
        if (!(err instanceof NotFoundError)) throw err
        throw new ValidationError('merge.error.notFound', { into: { key: 'merge.error.notFound', values: { number: body.into } } }, { number: body.into })
      })
      await mergeConversations(onVersion(ctx.domain, ifMatch), agent, { sourceId: source.conversation.id, targetId: target.id })
      return conversationAnswer(ctx, agent, target.number)
    },
  }),
]

/** A message just written, as the API shows it, with its address. */
export async function messageAnswer(ctx: AppContext, agent: Actor, messageId: number) {
  const message = await findApiMessage(ctx.db.prisma, agent, messageId)
  return { status: 201, body: messageJson(message), headers: { Location: `${API_PREFIX}/messages/${message.id}` } }
}
