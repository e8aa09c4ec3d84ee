import type { getConversationPage } from '../../domain/conversations/getConversation.ts'
import { attachmentPath, INLINE_IMAGE_TYPES } from '../../domain/attachments/storeAttachment.ts'
import { age } from './conversationRow.ts'
import type { Viewer } from '../../realtime/events.ts'

type Page = Awaited<ReturnType<typeof getConversationPage>>

/**
 * Customers' e-mails carry the whole earlier thread and a signature: show the new text (folded
 * once, when the message arrived) and keep the full message one click away.
 */
const foldQuotes = (bodyHtml: string, visibleHtml: string | null) =>
  visibleHtml === null ? { html: bodyHtml, fullHtml: null } : { html: visibleHtml, fullHtml: bodyHtml }

const STATUS_WORDS: Record<string, string> = { new: 'New', open: 'Open', pending: 'Pending', closed: 'Closed' }

function formatBytes(n: number) {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`
  return `${(n / 1024 / 1024).toFixed(1)} MB`
}

function when(date: Date, now: Date) {
  const a = age(date, now)
  return { iso: date.toISOString(), label: date.toISOString().slice(0, 16).replace('T', ' ') + ' UTC', ago: a === 'now' ? 'just now' : `${a} ago` }
}

/** One history line in words: "Ada set the status from Pending to Closed". */
function describe(event: Page['history'][number], page: Page): string {
  const d = (event.data ?? {}) as Record<string, unknown>
  const agent = (id: unknown) => (typeof id === 'number' ? (page.agentNames.get(id) ?? 'a former agent') : 'nobody')
  const folder = (id: unknown) => (typeof id === 'number' ? (page.folderNames.get(id) ?? 'a deleted folder') : '?')
  switch (event.type) {
    case 'conversation.created':
      return d.followUpOf
        ? `started this conversation (a follow-up to #${d.followUpOf})`
        : d.mode === 'record'
          ? 'recorded the customer’s request'
          : d.mode === 'send'
            ? 'started this conversation by writing to the customer'
            : 'started this conversation'
    case 'reply.sent':
      return 'replied to the customer'
    case 'comment.added':
      return 'added an internal comment'
    case 'message.received':
      return 'wrote a message'
    case 'auto_reply.received':
      return 'an automatic reply arrived'
    case 'status.changed':
      return `changed the status from ${STATUS_WORDS[String(d.from)] ?? d.from} to ${STATUS_WORDS[String(d.to)] ?? d.to}`
    case 'conversation.assigned':
      return d.to === null ? `unassigned it${d.reason ? ` (${d.reason})` : ''}` : `assigned it to ${agent(d.to)}`
    case 'conversation.moved':
      return `moved it from ${folder(d.from)} to ${folder(d.to)}`
    case 'conversation.tagged':
      return `added the tag “${d.tag}”`
    case 'conversation.untagged':
      return `removed the tag “${d.tag}”`
    case 'attachment.added':
      return `attached “${d.fileName}”`
    case 'reminder.sent':
      return 'sent the customer a reminder'
    case 'conversation.auto_closed':
      return 'closed it after the customer stayed silent'
    case 'customer.resolved':
      return 'said the problem is solved'
    case 'customer.not_resolved':
      return 'said they still need help'
    case 'follow_up.created':
      return `continued it in #${d.number}`
    default:
      return event.type.replace(/[._]/g, ' ')
  }
}

export function presentConversationPage(
  page: Page,
  now: Date,
  form: { values?: Record<string, unknown>; error?: string | null; threadChanged?: boolean },
  viewers: Viewer[] = [],
) {
  // The agent's own presence is not news to them.
  const others = viewers.filter((v) => v.agentId !== page.actor.id)
  const c = page.conversation
  const customerName = c.customer.name || c.customer.email
  const messages = page.messages.map((m) => {
    const author = m.kind === 'customer' ? customerName : m.kind === 'system' ? 'Suivi' : (m.author?.name ?? 'A former agent')
    const files = m.attachments.filter((a) => !a.inline)
    return {
      id: m.id,
      kind: m.kind,
      kindLabel: { customer: 'Customer', agent: 'Reply', internal: 'Internal comment', system: 'System' }[m.kind],
      author,
      recordedBy: m.kind === 'customer' && m.author ? m.author.name : null,
      isAutoReply: m.isAutoReply,
      ...foldQuotes(m.bodyHtml, m.visibleHtml),
      files: files.map((a) => ({
        fileName: a.fileName,
        size: formatBytes(a.size),
        href: attachmentPath(a),
        downloadHref: `${attachmentPath(a)}?download`,
        isImage: INLINE_IMAGE_TYPES.has(a.mimeType),
      })),
      at: when(m.createdAt, now),
    }
  })
  const actorName = (e: Page['history'][number]) =>
    e.actorKind === 'system' ? 'Suivi' : e.actorKind === 'customer' ? customerName : (e.actor?.name ?? 'A former agent')
  const tagIds = new Set(c.tags.map((t) => t.tagId))
  return {
    title: `#${c.number} ${c.subject}`,
    nav: 'conversations',
    conversation: {
      id: c.id,
      number: c.number,
      subject: c.subject || '(no subject)',
      status: c.status,
      messageCount: c.messageCount,
      folder: c.folder,
      assignee: c.assignee,
      href: `/conversations/${c.number}`,
      closedAt: c.closedAt ? when(c.closedAt, now) : null,
      previous: c.previousConversation,
      followUps: c.followUps,
    },
    customer: {
      name: c.customer.name,
      email: c.customer.email,
      since: when(c.customer.createdAt, now),
      undeliverable: c.customer.undeliverableAt ? (c.customer.undeliverableReason ?? 'permanent failure') : null,
    },
    otherConversations: page.otherConversations.map((o) => ({ ...o, href: `/conversations/${o.number}`, age: age(o.lastActivityAt, now) })),
    messages,
    viewers: others,
    composers: others.filter((v) => v.composing).map((v) => v.name),
    history: page.history.map((e) => ({ actor: actorName(e), text: describe(e, page), at: when(e.createdAt, now) })),
    tags: c.tags.map((t) => t.tag),
    availableTags: page.tags.filter((t) => !tagIds.has(t.id)),
    folders: page.folders,
    assignees: page.assignees,
    form: {
      values: { type: 'reply', html: '', text: '', statusAfter: '', ...(form.values ?? {}) },
      error: form.error ?? null,
      threadChanged: form.threadChanged ?? false,
    },
  }
}
