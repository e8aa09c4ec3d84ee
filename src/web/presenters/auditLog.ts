import type { AuditPage } from '../../domain/audit/listAudit.ts'

const ACTION_LABELS: Record<string, string> = {
  'agent.created': 'Created an administrator',
  'agent.invited': 'Invited an agent',
  'agent.joined': 'Accepted an invitation',
  'agent.updated': 'Changed an agent',
  'agent.deactivated': 'Deactivated an agent',
  'agent.reactivated': 'Reactivated an agent',
  'agent.password_reset': 'Reset a password',
  'folder.created': 'Created a folder',
  'folder.updated': 'Changed a folder',
  'folder.moved': 'Reordered the folders',
  'folder.deleted': 'Deleted a folder',
  'tag.created': 'Created a tag',
  'tag.updated': 'Changed a tag',
  'tag.deleted': 'Deleted a tag',
  'imap.created': 'Added an IMAP account',
  'imap.updated': 'Changed an IMAP account',
  'imap.enabled': 'Enabled an IMAP account',
  'imap.disabled': 'Disabled an IMAP account',
  'imap.deleted': 'Deleted an IMAP account',
  'imap.tested': 'Tested an IMAP account',
  'settings.updated': 'Changed settings',
  'outbox.retried': 'Queued e-mail to send again',
  'demo.seeded': 'Filled the help desk with demo data',
}

const TARGET_LABELS: Record<string, string> = {
  agent: 'Agent',
  folder: 'Folder',
  tag: 'Tag',
  imap_account: 'IMAP account',
  settings: 'Settings',
  outbox: 'Outbox',
}

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

function formatValue(v: Json): string {
  if (v === null) return 'none'
  if (typeof v === 'boolean') return v ? 'yes' : 'no'
  if (typeof v === 'number') return String(v)
  if (typeof v === 'string') return clip(v, 80) || '(empty)'
  if (Array.isArray(v)) return v.length ? clip(v.map(formatValue).join(', '), 80) : 'none'
  if (isChange(v)) return `${formatValue(v.from)} → ${formatValue(v.to)}`
  return clip(JSON.stringify(v), 80)
}

/** One short readable line: "name: Sales → Sales team; inbound address: none → sales@example.com". */
export function summarise(data: unknown): string {
  const clean = withoutSecrets(data)
  if (clean === null || typeof clean !== 'object' || Array.isArray(clean)) return clean === null ? '' : formatValue(clean)
  // The database keeps JSON keys in its own order: put the telling ones first.
  const rank = (k: string) => {
    const i = KEY_ORDER.indexOf(k)
    return i < 0 ? KEY_ORDER.length : i
  }
  const entries = Object.entries(clean).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
  const parts = entries.map(([k, v]) => (v === true && /changed$/i.test(k) ? words(k) : `${words(k)}: ${formatValue(v)}`))
  return clip(parts.join('; '), 300)
}

/** The name an entry gave its target at the time (the new one after a rename), if any. */
function nameInData(targetType: string, data: Json): string | null {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return null
  const pick = (v: Json | undefined): string | null => (typeof v === 'string' && v ? v : v && isChange(v) && typeof v.to === 'string' ? v.to : null)
  if (targetType === 'imap_account') {
    const user = pick(data.username)
    const host = pick(data.host)
    return user && host ? `${user} on ${host}` : (user ?? host)
  }
  return pick(data.name) ?? pick(data.email)
}

const AUDIT_PATH = '/settings/audit'

/** The audit page: one readable line per entry, secrets left out, and the links between pages. */
export function presentAuditLog(page: AuditPage, before: number | undefined) {
  const entries = page.entries.map((r) => {
    const data = withoutSecrets(r.data)
    const typeLabel = TARGET_LABELS[r.targetType] ?? words(r.targetType)
    const name = nameInData(r.targetType, data) ?? (r.targetId ? page.targetNames[r.targetType]?.get(r.targetId) : undefined) ?? null
    return {
      id: r.id,
      when: { iso: r.createdAt.toISOString(), label: `${r.createdAt.toISOString().slice(0, 16).replace('T', ' ')} UTC` },
      who: r.actorName ?? (r.actorAgentId === null ? 'System' : 'A former agent'),
      action: ACTION_LABELS[r.action] ?? r.action,
      actionCode: r.action,
      target: name ? `${typeLabel} “${clip(name, 80)}”` : r.targetId ? `${typeLabel} #${r.targetId}` : typeLabel,
      details: summarise(data),
    }
  })
  return {
    title: 'Audit log',
    nav: 'settings',
    entries,
    olderHref: page.olderBefore !== null ? `${AUDIT_PATH}?before=${page.olderBefore}` : null,
    newestHref: before ? AUDIT_PATH : null,
  }
}
