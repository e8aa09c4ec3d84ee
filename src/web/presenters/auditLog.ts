import type { AuditPage } from '../../domain/audit/listAudit.ts'
import type { Formats } from '../../i18n/format.ts'
import type { MessageKey, Translate } from '../../i18n/translate.ts'

const ACTION_LABELS: Record<string, MessageKey> = {
  'agent.created': 'admin.audit.action.agent.created',
  'agent.invited': 'admin.audit.action.agent.invited',
  'agent.joined': 'admin.audit.action.agent.joined',
  'agent.updated': 'admin.audit.action.agent.updated',
  'agent.deactivated': 'admin.audit.action.agent.deactivated',
  'agent.reactivated': 'admin.audit.action.agent.reactivated',
  'agent.password_reset': 'admin.audit.action.agent.passwordReset',
  'folder.created': 'admin.audit.action.folder.created',
  'folder.updated': 'admin.audit.action.folder.updated',
  'folder.moved': 'admin.audit.action.folder.moved',
  'folder.deleted': 'admin.audit.action.folder.deleted',
  'tag.created': 'admin.audit.action.tag.created',
  'tag.updated': 'admin.audit.action.tag.updated',
  'tag.deleted': 'admin.audit.action.tag.deleted',
  'imap.created': 'admin.audit.action.imap.created',
  'imap.updated': 'admin.audit.action.imap.updated',
  'imap.enabled': 'admin.audit.action.imap.enabled',
  'imap.disabled': 'admin.audit.action.imap.disabled',
  'imap.deleted': 'admin.audit.action.imap.deleted',
  'imap.tested': 'admin.audit.action.imap.tested',
  'settings.updated': 'admin.audit.action.settings.updated',
  'outbox.retried': 'admin.audit.action.outbox.retried',
  'demo.seeded': 'admin.audit.action.demo.seeded',
  'agent.api_token_created': 'admin.audit.action.agent.apiTokenCreated',
  'agent.api_token_revoked': 'admin.audit.action.agent.apiTokenRevoked',
  'webhook.created': 'admin.audit.action.webhook.created',
  'webhook.updated': 'admin.audit.action.webhook.updated',
  'webhook.deleted': 'admin.audit.action.webhook.deleted',
  'webhook.enabled': 'admin.audit.action.webhook.enabled',
  'webhook.disabled': 'admin.audit.action.webhook.disabled',
  'webhook.rotated': 'admin.audit.action.webhook.rotated',
  'webhook.test': 'admin.audit.action.webhook.test',
  'webhook.redelivered': 'admin.audit.action.webhook.redelivered',
}

/** How an entry names its target: `{form}` is "named" (with {name}), "numbered" (with {id}) or neither. */
const TARGET_LABELS: Record<string, MessageKey> = {
  agent: 'admin.audit.target.agent',
  folder: 'admin.audit.target.folder',
  tag: 'admin.audit.target.tag',
  imap_account: 'admin.audit.target.imapAccount',
  settings: 'admin.audit.target.settings',
  outbox: 'admin.audit.target.outbox',
  webhook: 'admin.audit.target.webhook',
}

/** The names of the recorded fields; a field not listed is shown by its code name in words. */
const FIELD_LABELS: Record<string, MessageKey> = {
  name: 'admin.audit.field.name',
  email: 'admin.audit.field.email',
  role: 'admin.audit.field.role',
  folders: 'admin.audit.field.folders',
  firstRun: 'admin.audit.field.firstRun',
  username: 'admin.audit.field.username',
  host: 'admin.audit.field.host',
  port: 'admin.audit.field.port',
  secure: 'admin.audit.field.secure',
  mailbox: 'admin.audit.field.mailbox',
  moveToMailbox: 'admin.audit.field.moveToMailbox',
  folderId: 'admin.audit.field.folderId',
  enabled: 'admin.audit.field.enabled',
  credentials: 'admin.audit.field.credentials',
  result: 'admin.audit.field.result',
  mailboxes: 'admin.audit.field.mailboxes',
  error: 'admin.audit.field.error',
  direction: 'admin.audit.field.direction',
  position: 'admin.audit.field.position',
  inboundAddress: 'admin.audit.field.inboundAddress',
  signature: 'admin.audit.field.signature',
  acknowledge: 'admin.audit.field.acknowledge',
  acknowledgementText: 'admin.audit.field.acknowledgementText',
  ratingsEnabled: 'admin.audit.field.ratingsEnabled',
  businessHours: 'admin.audit.field.businessHours',
  holidays: 'admin.audit.field.holidays',
  conversationsMoved: 'admin.audit.field.conversationsMoved',
  movedTo: 'admin.audit.field.movedTo',
  imapAccounts: 'admin.audit.field.imapAccounts',
  colour: 'admin.audit.field.colour',
  conversations: 'admin.audit.field.conversations',
  failed: 'admin.audit.field.failed',
  pendingCloseDays: 'admin.audit.field.pendingCloseDays',
  reminderBeforeCloseDays: 'admin.audit.field.reminderBeforeCloseDays',
  reopenWindowDays: 'admin.audit.field.reopenWindowDays',
  closingEmailEnabled: 'admin.audit.field.closingEmailEnabled',
  attachmentMaxBytes: 'admin.audit.field.attachmentMaxBytes',
  sweepSchedule: 'admin.audit.field.sweepSchedule',
  reminderText: 'admin.audit.field.reminderText',
  closingText: 'admin.audit.field.closingText',
  reminderTexts: 'admin.audit.field.reminderTexts',
  closingTexts: 'admin.audit.field.closingTexts',
  defaultLocale: 'admin.audit.field.defaultLocale',
  defaultTimeZone: 'admin.audit.field.defaultTimeZone',
}

/** Fields whose value is one of a few fixed words the domain records (not a name someone typed). */
const CODED_VALUES: Record<string, Record<string, MessageKey>> = {
  signature: { changed: 'admin.audit.value.changed', removed: 'admin.audit.value.removed' },
  acknowledgementText: { changed: 'admin.audit.value.changed', 'reset to the built-in text': 'admin.audit.value.resetToBuiltIn' },
  credentials: { 'password replaced': 'admin.audit.value.passwordReplaced' },
  result: { connected: 'admin.audit.value.connected', failed: 'admin.audit.value.failed' },
  direction: { up: 'admin.audit.value.up', down: 'admin.audit.value.down' },
}

/** The settings written once per language (language code → text): a change says which languages' texts changed. */
const PER_LANGUAGE = new Set(['reminderTexts', 'closingTexts'])

/** Settings whose value is a language code, shown by the language's name. */
const LANGUAGE_VALUES = new Set(['defaultLocale'])

/** A language's name in the reader's language ("French" / « français »), else its code. */
function languageName(code: string, locale: string): string {
  try {
    return new Intl.DisplayNames([locale], { type: 'language' }).of(code) ?? code
  } catch {
    return code
  }
}

/** Numbers that name something (a port, an id) rather than count it: shown without digit grouping. */
const PLAIN_NUMBER = /port|id$|^folders$/i

/** Keys whose values are never shown, at any depth: whatever an entry holds, secrets stay out of the page. */
const SECRET_KEY = /password|secret|token/i

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

export function withoutSecrets(value: unknown, depth = 0): Json {
  if (value === null || value === undefined) return null
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value
  if (depth > 6) return '…'
  if (Array.isArray(value)) return value.map((v) => withoutSecrets(v, depth + 1))
  if (typeof value === 'object') {
    const out: Record<string, Json> = {}
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (!SECRET_KEY.test(k)) out[k] = withoutSecrets(v, depth + 1)
    return out
  }
  return String(value)
}

const KEY_ORDER = [
  'name',
  'email',
  'role',
  'username',
  'host',
  'port',
  'secure',
  'mailbox',
  'moveToMailbox',
  'folderId',
  'enabled',
  'direction',
  'position',
  'result',
  'mailboxes',
  'error',
]
const words = (key: string) =>
  key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_.]/g, ' ')
    .toLowerCase()
const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s)
const isChange = (v: Json): v is { from: Json; to: Json } =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && 'from' in v && 'to' in v && Object.keys(v).length === 2

/** What a summary needs: the reader's language, and the field a value belongs to. */
interface Reading {
  t: Translate
  fmt: Formats
  field: string
}

/** A change of a text per language: "French text added and English text changed". */
function textsChange(change: { from: Json; to: Json }, r: Reading): string {
  const texts = (v: Json): Record<string, Json> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v : {})
  const [from, to] = [texts(change.from), texts(change.to)]
  const written = (v: Json | undefined) => typeof v === 'string' && v !== ''
  const codes = [...new Set([...Object.keys(from), ...Object.keys(to)])].filter((code) => JSON.stringify(from[code]) !== JSON.stringify(to[code])).sort()
  if (codes.length === 0) return r.t('admin.settings.audit.textsUnchanged')
  const each = codes.map((code) =>
    r.t('admin.settings.audit.text', {
      language: languageName(code, r.fmt.locale),
      change: !written(from[code]) ? 'added' : !written(to[code]) ? 'removed' : 'changed',
    }),
  )
  return new Intl.ListFormat(r.fmt.locale, { type: 'conjunction' }).format(each)
}

function formatValue(v: Json, r: Reading): string {
  const { t } = r
  if (PER_LANGUAGE.has(r.field) && isChange(v)) return textsChange(v, r)
  if (LANGUAGE_VALUES.has(r.field) && typeof v === 'string' && v) return languageName(v, r.fmt.locale)
  if (v === null) return t('admin.audit.value.none')
  if (typeof v === 'boolean') return t(v ? 'admin.audit.value.yes' : 'admin.audit.value.no')
  if (typeof v === 'number') return PLAIN_NUMBER.test(r.field) ? String(v) : r.fmt.number(v)
  if (typeof v === 'string') {
    const coded = CODED_VALUES[r.field]?.[v]
    return coded ? t(coded) : clip(v, 80) || t('admin.audit.value.empty')
  }
  if (Array.isArray(v)) return v.length ? clip(v.map((x) => formatValue(x, r)).join(', '), 80) : t('admin.audit.value.none')
  if (isChange(v)) return t('admin.audit.change', { from: formatValue(v.from, r), to: formatValue(v.to, r) })
  return clip(JSON.stringify(v), 80)
}

const fieldLabel = (key: string, t: Translate) => (FIELD_LABELS[key] ? t(FIELD_LABELS[key]) : words(key))

/** One short readable line: "name: Sales → Sales team; inbound address: none → sales@example.com". */
export function summarise(data: unknown, t: Translate, fmt: Formats): string {
  const clean = withoutSecrets(data)
  if (clean === null || typeof clean !== 'object' || Array.isArray(clean)) return clean === null ? '' : formatValue(clean, { t, fmt, field: '' })
  // The database keeps JSON keys in its own order: put the telling ones first.
  const rank = (k: string) => {
    const i = KEY_ORDER.indexOf(k)
    return i < 0 ? KEY_ORDER.length : i
  }
  const entries = Object.entries(clean).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
  const parts = entries.map(([k, v]) =>
    v === true && /changed$/i.test(k) ? fieldLabel(k, t) : t('admin.audit.detail', { field: fieldLabel(k, t), value: formatValue(v, { t, fmt, field: k }) }),
  )
  return clip(parts.join(t('admin.audit.separator')), 300)
}

/** The name an entry gave its target at the time (the new one after a rename), if any. */
function nameInData(targetType: string, data: Json, t: Translate): string | null {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return null
  const pick = (v: Json | undefined): string | null => (typeof v === 'string' && v ? v : v && isChange(v) && typeof v.to === 'string' ? v.to : null)
  if (targetType === 'imap_account') {
    const user = pick(data.username)
    const host = pick(data.host)
    return user && host ? t('admin.imap.label', { username: user, host }) : (user ?? host)
  }
  if (targetType === 'webhook') return pick(data.url)
  return pick(data.name) ?? pick(data.email)
}

const AUDIT_PATH = '/settings/audit'

/** The audit page: one readable line per entry, secrets left out, and the links between pages. */
export function presentAuditLog(page: AuditPage, before: number | undefined, now: Date, t: Translate, fmt: Formats) {
  const entries = page.entries.map((r) => {
    const data = withoutSecrets(r.data)
    const name = nameInData(r.targetType, data, t) ?? (r.targetId ? page.targetNames[r.targetType]?.get(r.targetId) : undefined) ?? null
    const naming = { form: name ? 'named' : r.targetId ? 'numbered' : 'none', name: name ? clip(name, 80) : '', id: r.targetId ?? '' }
    const targetKey = TARGET_LABELS[r.targetType]
    const action = ACTION_LABELS[r.action]
    return {
      id: r.id,
      when: { iso: r.createdAt.toISOString(), full: fmt.full(r.createdAt), relative: fmt.relative(r.createdAt, now) },
      who: r.actorName ?? (r.actorAgentId === null ? t('admin.audit.system') : t('admin.audit.formerAgent')),
      action: action ? t(action) : r.action,
      actionCode: r.action,
      target: targetKey ? t(targetKey, naming) : t('admin.audit.target.other', { ...naming, type: words(r.targetType) }),
      details: summarise(data, t, fmt),
    }
  })
  return {
    title: t('admin.audit.title'),
    nav: 'settings',
    entries,
    olderHref: page.olderBefore !== null ? `${AUDIT_PATH}?before=${page.olderBefore}` : null,
    newestHref: before ? AUDIT_PATH : null,
  }
}
