import type { getConversationPage } from '../../domain/conversations/getConversation.ts'
import { attachmentPath, INLINE_IMAGE_TYPES } from '../../domain/attachments/storeAttachment.ts'
import { isLocale, languageName, languageOptions, REFERENCE_LOCALE } from '../../i18n/catalogues.ts'
import { formats } from '../../i18n/format.ts'
import { isMessageKey, translator, type MessageKey, type MessageValues } from '../../i18n/translate.ts'
import { shownTime, type Reader, type ShownTime } from './conversationRow.ts'
import type { Viewer } from '../../realtime/events.ts'

type Page = Awaited<ReturnType<typeof getConversationPage>>

/**
 * Customers' e-mails carry the whole earlier thread and a signature: show the new text (folded
 * once, when the message arrived) and keep the full message one click away.
 */
const foldQuotes = (bodyHtml: string, visibleHtml: string | null) =>
  visibleHtml === null ? { html: bodyHtml, fullHtml: null } : { html: visibleHtml, fullHtml: bodyHtml }

const STATUSES = ['new', 'open', 'pending', 'closed'] as const
const isStatus = (s: unknown): s is (typeof STATUSES)[number] => STATUSES.includes(s as (typeof STATUSES)[number])

/** Why an assignee was taken off, as the domain records it (English codes kept in the history's data). */
const REASONS: Record<string, MessageKey> = {
  'not in the new folder': 'history.reason.notInNewFolder',
  'removed from the folder': 'history.reason.removedFromFolder',
}

const oneDecimal = new Map<string, Intl.NumberFormat>()

function formatBytes(n: number, { t, fmt }: Reader) {
  if (n < 1024) return t('conversation.size.bytes', { n })
  if (n < 1024 * 1024) return t('conversation.size.kilobytes', { n: Math.round(n / 1024) })
  let format = oneDecimal.get(fmt.locale)
  if (!format) {
    format = new Intl.NumberFormat(fmt.locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 })
    oneDecimal.set(fmt.locale, format)
  }
  return t('conversation.size.megabytes', { size: format.format(n / 1024 / 1024) })
}

/** Stands for the actor in a history sentence, so that the page can set their name apart wherever the language puts it. */
const ACTOR = '\u0000'

/** A history line: the sentence, and the same cut around the actor's name ("<strong>Ada</strong> set the status…"). */
export interface HistoryLine {
  text: string
  before: string
  actor: string | null
  after: string
  at: ShownTime
  /** Shown as it is: the date and time to the minute, in the reader's zone ("Dec 2, 2026, 2:03 PM"); `at.ago` beside it, `at.full` on hover. */
  when: string
}

/** One history line in words: "Ada changed the status from Pending to Closed". */
function describe(event: Page['history'][number], page: Page, t: Reader['t'], fmt?: Reader['fmt']): { key: MessageKey; values?: MessageValues } {
  const d = (event.data ?? {}) as Record<string, unknown>
  const agent = (id: unknown) => (typeof id === 'number' ? (page.agentNames.get(id) ?? t('history.formerAgent')) : t('history.nobody'))
  const folder = (id: unknown) => (typeof id === 'number' ? (page.folderNames.get(id) ?? t('history.deletedFolder')) : '?')
  const status = (s: unknown) => (isStatus(s) ? t(`status.${s}`) : String(s))
  const reason = (r: unknown) => {
    const text = String(r)
    const key = REASONS[text]
    return key ? t(key) : isMessageKey(text) ? t(text) : text
  }
  switch (event.type) {
    case 'conversation.created':
      return d.followUpOf
        ? { key: 'history.createdFollowUp', values: { number: String(d.followUpOf) } }
        : d.mode === 'record'
          ? { key: 'history.recorded' }
          : d.mode === 'send'
            ? { key: 'history.createdBySending' }
            : { key: 'history.created' }
    case 'reply.sent':
      return { key: 'history.replied' }
    case 'reply.withdrawn':
      return { key: 'history.withdrawn' }
    case 'comment.added':
      return { key: 'history.commented' }
    case 'message.received':
      return { key: 'history.received' }
    case 'auto_reply.received':
      return { key: 'history.autoReply' }
    case 'status.changed':
      return { key: 'history.statusChanged', values: { from: status(d.from), to: status(d.to) } }
    case 'conversation.assigned':
      return d.to === null
        ? d.reason
          ? { key: 'history.unassignedBecause', values: { reason: reason(d.reason) } }
          : { key: 'history.unassigned' }
        : { key: 'history.assigned', values: { assignee: agent(d.to) } }
    case 'conversation.moved':
      return { key: 'history.moved', values: { from: folder(d.from), to: folder(d.to) } }
    case 'conversation.tagged':
      return { key: 'history.tagged', values: { tag: String(d.tag) } }
    case 'conversation.untagged':
      return { key: 'history.untagged', values: { tag: String(d.tag) } }
    case 'attachment.added':
      return { key: 'history.attached', values: { fileName: String(d.fileName) } }
    case 'reminder.sent':
      return { key: 'history.reminder' }
    case 'conversation.auto_closed':
      return { key: 'history.autoClosed' }
    case 'customer.resolved':
      return { key: 'history.resolved' }
    case 'customer.not_resolved':
      return { key: 'history.notResolved' }
    case 'saved_reply.used':
      return { key: 'history.savedReplyUsed' }
    case 'follow_up.created':
      return { key: 'history.followUp', values: { number: String(d.number) } }
    case 'conversation.merged':
      return { key: 'history.merged', values: { number: String(d.fromNumber) } }
    case 'conversation.merged_into':
      return { key: 'history.mergedInto', values: { number: String(d.intoNumber) } }
    case 'message.split':
      return { key: 'history.split', values: { number: String(d.toNumber) } }
    case 'conversation.split_from':
      return { key: 'history.splitFrom', values: { number: String(d.fromNumber) } }
    case 'customer.language_changed':
      return d.to ? { key: 'history.customerLanguage', values: { language: languageName(String(d.to)) } } : { key: 'history.customerLanguageFolder' }
    case 'copies.changed': {
      const copies = [...(Array.isArray(d.cc) ? d.cc : []), ...(Array.isArray(d.bcc) ? d.bcc.map((b) => `${String(b)} (Bcc)`) : [])].join(', ')
      return copies ? { key: 'history.copiesChanged', values: { copies } } : { key: 'history.copiesCleared' }
    }
    case 'conversation.forwarded':
      return { key: d.messageId ? 'history.forwardedMessage' : 'history.forwarded', values: { to: Array.isArray(d.to) ? d.to.join(', ') : '' } }
    case 'conversation.snoozed':
      return typeof d.until === 'string'
        ? { key: 'history.snoozed', values: { time: fmt ? fmt.dateTime(new Date(d.until)) : d.until } }
        : { key: 'history.snoozedUntilAnswer' }
    case 'conversation.woke':
      return { key: d.reason === 'time' ? 'history.woke.time' : d.reason === 'customer' ? 'history.woke.customer' : 'history.woke.agent' }
    case 'rating.given': {
      const value = (v: unknown) => (typeof v === 'string' && ['great', 'okay', 'bad'].includes(v) ? t(`rating.value.${v as 'great' | 'okay' | 'bad'}`) : '?')
      if (d.confirmed !== true) return { key: 'history.ratedProvisional', values: { value: value(d.value) } }
      return typeof d.previous === 'string' && d.previous !== d.value
        ? { key: 'history.ratedChanged', values: { previous: value(d.previous), value: value(d.value) } }
        : { key: 'history.rated', values: { value: value(d.value) } }
    }
    case 'rating.commented': {
      const comment = typeof d.comment === 'string' ? d.comment : ''
      // The whole comment is in the sidebar's rating card; the history quotes its start.
      return comment
        ? { key: 'history.ratingCommented', values: { comment: comment.length > 140 ? `${comment.slice(0, 140)}…` : comment } }
        : { key: 'history.ratingCommentRemoved' }
    }
    default:
      return { key: 'history.other', values: { event: event.type.replace(/[._]/g, ' ') } }
  }
}

function historyLine(actor: string, sentence: { key: MessageKey; values?: MessageValues }, createdAt: Date, now: Date, { t, fmt }: Reader): HistoryLine {
  const text = t(sentence.key, { ...sentence.values, actor })
  const parts = t(sentence.key, { ...sentence.values, actor: ACTOR }).split(ACTOR)
  const at = shownTime(createdAt, now, fmt)
  const time = { at, when: fmt.dateTime(createdAt) }
  if (parts.length !== 2) return { text, before: text, actor: null, after: '', ...time }
  return { text, before: parts[0]!, actor, after: parts[1]!, ...time }
}

/** How many colours avatars take (public/css/app.css, .avatar-hue-0 … 7); public/js/live.js counts the same. */
const AVATAR_HUES = 8

/**
 * Another agent as the page shows them: initials on a colour that is always theirs (derived from
 * their id, so the page and the live script agree without asking the server).
 */
export function presentViewer(viewer: Viewer) {
  const words = viewer.name.trim().split(/\s+/).filter(Boolean)
  const first = words[0] ?? '?'
  const last = words.length > 1 ? words[words.length - 1]! : ''
  const initials = (Array.from(first)[0]! + (last ? Array.from(last)[0]! : '')).toUpperCase()
  return { ...viewer, initials, hue: viewer.agentId % AVATAR_HUES }
}

let referenceReader: Reader | undefined

/**
 * The conversation page in its reader's language and zone (`reader`; the reference language when
 * not given, as some tests call it).
 */
export function presentConversationPage(
  page: Page,
  now: Date,
  form: { values?: Record<string, unknown>; error?: string | null; threadChanged?: boolean },
  viewers: Viewer[] = [],
  reader: Reader = (referenceReader ??= { t: translator(REFERENCE_LOCALE), fmt: formats(REFERENCE_LOCALE) }),
) {
  const { t, fmt } = reader
  // The agent's own presence is not news to them.
  const others = viewers.filter((v) => v.agentId !== page.actor.id).map(presentViewer)
  const c = page.conversation
  const customerName = c.customer.name || c.customer.email
  const messages = page.messages.map((m, index) => {
    // A person the conversation is copied to may write in too: their own name, not the customer's.
    const sender = m.sender ? m.sender.name || m.sender.email : customerName
    const author = m.kind === 'customer' ? sender : m.kind === 'system' ? 'Suivi' : (m.author?.name ?? t('conversation.formerAgent'))
    const files = m.attachments.filter((a) => !a.inline)
    const kind = t(`conversation.kind.${m.kind}`)
    const recordedBy = m.kind === 'customer' && m.author ? m.author.name : null
    return {
      id: m.id,
      kind: m.kind,
      // "Customer, recorded by Ada, automatic reply": one label, in the reader's language.
      kindLabel:
        recordedBy && m.isAutoReply
          ? t('conversation.kind.recordedByAutoReply', { kind, name: recordedBy })
          : recordedBy
            ? t('conversation.kind.recordedBy', { kind, name: recordedBy })
            : m.isAutoReply
              ? t('conversation.kind.autoReply', { kind })
              : kind,
      author,
      recordedBy,
      isAutoReply: m.isAutoReply,
      // A customer's later message may be split out into a new conversation (the first one is what this one is about).
      splitHref: m.kind === 'customer' && index > 0 ? `/conversations/${c.number}/messages/${m.id}/split` : null,
      ...foldQuotes(m.bodyHtml, m.visibleHtml),
      files: files.map((a) => ({
        fileName: a.fileName,
        size: formatBytes(a.size, reader),
        href: attachmentPath(a),
        downloadHref: `${attachmentPath(a)}?download`,
        isImage: INLINE_IMAGE_TYPES.has(a.mimeType),
      })),
      at: shownTime(m.createdAt, now, fmt),
      // Whom it was copied to (Bcc is the agents' business, never shown in the thread).
      cc: m.cc ?? [],
    }
  })
  const actorName = (e: Page['history'][number]) =>
    e.actorKind === 'system' ? 'Suivi' : e.actorKind === 'customer' ? customerName : (e.actor?.name ?? t('conversation.formerAgent'))
  const tagIds = new Set(c.tags.map((tag) => tag.tagId))
  return {
    title: `#${c.number} ${c.subject}`,
    nav: 'conversations',
    conversation: {
      id: c.id,
      number: c.number,
      subject: c.subject || t('conversation.noSubject'),
      status: c.status,
      messageCount: c.messageCount,
      folder: c.folder,
      assignee: c.assignee,
      href: `/conversations/${c.number}`,
      closedAt: c.closedAt ? shownTime(c.closedAt, now, fmt) : null,
      previous: c.previousConversation,
      followUps: c.followUps,
    },
    customer: {
      name: c.customer.name,
      email: c.customer.email,
      since: shownTime(c.customer.createdAt, now, fmt),
      undeliverable: c.customer.undeliverableAt ? (c.customer.undeliverableReason ?? t('conversation.undeliverable.unknown')) : null,
      // '' stands for "the folder's language" in the form; the folder's is named in that option.
      locale: c.customer.locale && isLocale(c.customer.locale) ? c.customer.locale : '',
      folderLanguage: languageName(c.folder.locale),
    },
    languages: languageOptions(),
    otherConversations: page.otherConversations.map((o) => ({
      ...o,
      subject: o.subject || t('conversation.noSubject'),
      href: `/conversations/${o.number}`,
      lastActivity: shownTime(o.lastActivityAt, now, fmt),
    })),
    messages,
    viewers: others,
    composers: others.filter((v) => v.composing).map((v) => v.name),
    // An event of a conversation merged into this one says which: "(#12)".
    history: page.history.map((e) => ({ ...historyLine(actorName(e), describe(e, page, t, fmt), e.createdAt, now, reader), fromNumber: e.fromNumber ?? null })),
    tags: c.tags.map((tag) => tag.tag),
    availableTags: page.tags.filter((tag) => !tagIds.has(tag.id)),
    folders: page.folders,
    assignees: page.assignees,
    // "Assign to me": one click, offered to an agent who may take it and does not have it yet.
    assignToMe: c.assignee?.id !== page.actor.id && page.assignees.some((a) => a.id === page.actor.id) ? page.actor.id : null,
    form: {
      values: { type: 'reply', html: '', text: '', statusAfter: '', ...(form.values ?? {}) },
      error: form.error ?? null,
      threadChanged: form.threadChanged ?? false,
    },
  }
}
