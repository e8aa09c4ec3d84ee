import { z } from 'zod'
import type { ApiConversationView, ApiMessageView, ConversationSummaryView } from '../../domain/conversations/apiConversation.ts'
import { wakeTime } from '../../domain/conversations/snooze.ts'
import { Tag } from './directorySchemas.ts'

/**
 * The shapes the API answers with for conversations, messages and attachments, and how the
 * domain's rows become them (dates as ISO strings, "until the customer answers" as null).
 */

type ConversationRow = ApiConversationView['conversation']

const id = z.number().int()
const when = z.iso.datetime()
const iso = (d: Date) => d.toISOString()
const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null)

export const STATUSES = ['new', 'open', 'pending', 'closed'] as const
const Status = z.enum(STATUSES).meta({ description: 'new: nobody answered yet; pending: waiting on the customer; open: waiting on an agent; closed.' })

const AgentRef = z.object({ id, name: z.string() })
const FolderRef = z.object({ id, name: z.string() })
const CustomerRef = z.object({ id, name: z.string(), email: z.string() })

const Snooze = z.object({
  snoozed: z.boolean().meta({ description: 'Hidden from the lists but the Snoozed one until it wakes.' }),
  snoozedUntil: when.nullable().meta({ description: 'When a snoozed conversation comes back; null while snoozed: when the customer answers.' }),
}).shape

export const ConversationSummary = z
  .object({
    id,
    number: id.meta({ description: 'The public number (#123): how paths address it.' }),
    subject: z.string(),
    status: Status,
    snippet: z.string().meta({ description: 'The start of the latest public message.' }),
    customer: CustomerRef,
    assignee: AgentRef.nullable(),
    folder: FolderRef,
    tags: z.array(Tag),
    ...Snooze,
    lastActivityAt: when,
    createdAt: when,
  })
  .meta({ id: 'ConversationSummary', description: 'A conversation in a list.' })

export const Conversation = z
  .object({
    id,
    number: id.meta({ description: 'The public number (#123): how paths address it.' }),
    subject: z.string(),
    status: Status,
    channel: z.enum(['email', 'portal', 'agent']).meta({ description: 'How it started: a customer’s e-mail, the contact page, or an agent.' }),
    snippet: z.string(),
    customer: CustomerRef,
    assignee: AgentRef.nullable(),
    folder: FolderRef,
    tags: z.array(Tag),
    cc: z.array(z.string()).meta({ description: 'Addresses copied on replies.' }),
    bcc: z.array(z.string()).meta({ description: 'Addresses blind-copied on replies.' }),
    ...Snooze,
    messageCount: z.number().int().meta({ description: 'Messages and comments in the thread (grows with each; a merge adds one).' }),
    mergedInto: id.nullable().meta({ description: 'The number of the conversation this one was merged into.' }),
    lastActivityAt: when,
    lastCustomerMessageAt: when.nullable(),
    lastAgentReplyAt: when.nullable(),
    closedAt: when.nullable(),
    createdAt: when,
    updatedAt: when,
  })
  .meta({ id: 'Conversation', description: 'A conversation. Its ETag changes with every change a client may see.' })

export const Attachment = z
  .object({
    id,
    fileName: z.string(),
    mimeType: z.string().meta({ description: 'Read from the bytes, not from the sender’s claim.' }),
    size: z.number().int().meta({ description: 'Bytes.' }),
    inline: z.boolean().meta({ description: 'An image shown within the message text.' }),
    url: z.string().meta({ description: 'Where to download it (with the same token).' }),
    createdAt: when,
  })
  .meta({ id: 'Attachment', description: 'A file of a message.' })

export const Message = z
  .object({
    id,
    conversationId: id,
    kind: z
      .enum(['customer', 'agent', 'internal', 'system'])
      .meta({ description: 'customer: written by the customer; agent: a public reply; internal: a comment only agents see; system: an automatic message.' }),
    author: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('agent'), id, name: z.string() }),
        z.object({ type: z.literal('customer'), id, name: z.string(), email: z.string() }),
      ])
      .nullable()
      .meta({ description: 'Who wrote it; null for a system message.' }),
    text: z.string(),
    html: z.string().meta({ description: 'Sanitised HTML.' }),
    cc: z.array(z.string()),
    bcc: z.array(z.string()),
    autoReply: z.boolean().meta({ description: 'An out-of-office or other automatic answer.' }),
    attachments: z.array(Attachment),
    createdAt: when,
  })
  .meta({ id: 'Message', description: 'A message of a thread, or an internal comment.' })

export const API_PREFIX = '/api/v1'

const snoozeOf = (c: Pick<ConversationRow, 'snoozedAt' | 'snoozedUntil'>) => ({
  snoozed: c.snoozedAt !== null,
  snoozedUntil: c.snoozedAt !== null ? isoOrNull(wakeTime(c.snoozedUntil)) : null,
})

export function conversationSummaryJson(c: ConversationSummaryView): z.infer<typeof ConversationSummary> {
  return {
    id: c.id,
    number: c.number,
    subject: c.subject,
    status: c.status,
    snippet: c.snippet,
    customer: { id: c.customer.id, name: c.customer.name, email: c.customer.email },
    assignee: c.assignee ? { id: c.assignee.id, name: c.assignee.name } : null,
    folder: { id: c.folder.id, name: c.folder.name },
    tags: c.tags.map((t) => ({ id: t.id, name: t.name, colour: t.colour })),
    ...snoozeOf(c),
    lastActivityAt: iso(c.lastActivityAt),
    createdAt: iso(c.createdAt),
  }
}

export function conversationJson(v: ApiConversationView): z.infer<typeof Conversation> {
  const c = v.conversation
  return {
    id: c.id,
    number: c.number,
    subject: c.subject,
    status: c.status,
    channel: c.channel,
    snippet: c.snippet,
    customer: v.customer,
    assignee: v.assignee,
    folder: v.folder,
    tags: v.tags,
    cc: c.cc,
    bcc: c.bcc,
    ...snoozeOf(c),
    messageCount: c.messageCount,
    mergedInto: v.mergedIntoNumber,
    lastActivityAt: iso(c.lastActivityAt),
    lastCustomerMessageAt: isoOrNull(c.lastCustomerMessageAt),
    lastAgentReplyAt: isoOrNull(c.lastAgentReplyAt),
    closedAt: isoOrNull(c.closedAt),
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
  }
}

export function messageJson(m: ApiMessageView): z.infer<typeof Message> {
  // A customer's message recorded by an agent names both: its author is the customer.
  const customer = m.customer && { type: 'customer' as const, id: m.customer.id, name: m.customer.name, email: m.customer.email }
  const agent = m.authorAgent && { type: 'agent' as const, id: m.authorAgent.id, name: m.authorAgent.name }
  const author = m.kind === 'system' ? null : m.kind === 'customer' ? (customer ?? agent) : (agent ?? customer)
  return {
    id: m.id,
    conversationId: m.conversationId,
    kind: m.kind,
    author,
    text: m.bodyText,
    html: m.bodyHtml,
    cc: m.cc,
    bcc: m.bcc,
    autoReply: m.isAutoReply,
    attachments: m.attachments.map(attachmentJson),
    createdAt: iso(m.createdAt),
  }
}

export function attachmentJson(a: ApiMessageView['attachments'][number]): z.infer<typeof Attachment> {
  return {
    id: a.id,
    fileName: a.fileName,
    mimeType: a.mimeType,
    size: a.size,
    inline: a.inline,
    url: `${API_PREFIX}/attachments/${a.id}`,
    createdAt: iso(a.createdAt),
  }
}
