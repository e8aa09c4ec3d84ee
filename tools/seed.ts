// Fills a PostgreSQL database with a large, realistic help desk for benchmarks:
//
//   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/suivi_bench_100k npm run seed -- --conversations 100000 [--messages-per 3] [--append]
//
// Folders, agents (with folder memberships), tags, customers (about one per three conversations),
// conversations with a help desk's status mix spread over two years, messages with real words
// (including internal comments), history events, tags and attachments on a share of them.
// Everything is generated here (deterministic: the same options give the same data) and written in
// large multi-row INSERT … SELECT FROM unnest(…) batches inside ONE transaction: secondary indexes
// are dropped first and rebuilt at the end (much faster than maintaining GIN indexes row by row),
// so an interrupted seed leaves the database exactly as it was. VACUUM ANALYZE at the end.
//
// Also creates bench-admin@example.test (admin) and bench-agent@example.test (agent in a few
// folders), both with the password "bench password", for the load scenarios in bench/.

import { parseArgs } from 'node:util'
import { createHash } from 'node:crypto'
import type pg from 'pg'
import { ConfigError, loadConfigFromEnvironment } from '../src/config.ts'
import { openDatabase, type Database } from '../src/db/database.ts'
import { embeddedDatabaseBusyMessage } from '../src/db/commandLine.ts'
import { EmbeddedDatabaseBusyError } from '../src/db/embedded.ts'
import { hashPassword } from '../src/domain/agents/passwords.ts'
import { createLogger } from '../src/logger.ts'

export const BENCH_PASSWORD = 'bench password'
export const BENCH_ADMIN_EMAIL = 'bench-admin@example.test'
export const BENCH_AGENT_EMAIL = 'bench-agent@example.test'
/** Appears in about ten conversations (the "rare word" of the search scenario). */
export const RARE_WORD = 'quixotic'
/** Appears in about 30 % of messages (the "common word" of the search scenario). */
export const COMMON_WORD = 'order'

/** The embedded database (PGlite, single-threaded WebAssembly) is refused above this size. */
const EMBEDDED_LIMIT = 5_000

// ---------------------------------------------------------------------------------------------
// Deterministic randomness (mulberry32), as in the demo seed.

function createRandom(seed: number) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1))
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T
  /** Skewed towards the first items (a few big folders, a few popular tags). */
  const pickSkewed = <T>(items: readonly T[], power = 2): T => items[Math.floor(next() ** power * items.length)] as T
  const chance = (p: number) => next() < p
  return { next, int, pick, pickSkewed, chance }
}
type Random = ReturnType<typeof createRandom>

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

// ---------------------------------------------------------------------------------------------
// The cast.

const FOLDERS = [
  { name: 'General', address: null },
  { name: 'Billing', address: 'billing@bench.suivi.test' },
  { name: 'Technical', address: 'tech@bench.suivi.test' },
  { name: 'Shipping', address: 'shipping@bench.suivi.test' },
  { name: 'Sales', address: 'sales@bench.suivi.test' },
  { name: 'Accounts', address: 'accounts@bench.suivi.test' },
  { name: 'Mobile', address: 'mobile@bench.suivi.test' },
  { name: 'Enterprise', address: 'enterprise@bench.suivi.test' },
  { name: 'Partners', address: 'partners@bench.suivi.test' },
  { name: 'Feedback', address: 'feedback@bench.suivi.test' },
]

const TAGS = [
  { name: 'billing', colour: 'amber' },
  { name: 'bug', colour: 'orange' },
  { name: 'refund', colour: 'red' },
  { name: 'login', colour: 'blue' },
  { name: 'shipping', colour: 'teal' },
  { name: 'feature request', colour: 'green' },
  { name: 'urgent', colour: 'red' },
  { name: 'invoice', colour: 'amber' },
  { name: 'integration', colour: 'indigo' },
  { name: 'mobile', colour: 'slate' },
  { name: 'vip', colour: 'purple' },
  { name: 'onboarding', colour: 'green' },
  { name: 'security', colour: 'pink' },
  { name: 'feedback', colour: 'blue' },
  { name: 'churn risk', colour: 'purple' },
]

const FIRST_NAMES =
  `Ada Adam Aisha Alba Alex Alice Amara Amelie Ana Andrea Anna Arjun Ben Bruno Carla Carlos Chen Chloe Clara Daniel David Diego Elena Elif Ella Emil Emma Eva Farah Fatima Felix Grace Hana Hannah Henrik Hugo Ines Isabel Ivan James Jana Jonas Jose Julia Kai Kenji Lara Laura Lea Leo Liam Lina Lucas Luis Lukas Maja Marco Maria Marta Mateo Max Mei Mia Mila Nadia Nina Noah Nora Olga Oliver Olivia Omar Oscar Paul Pedro Priya Rafael Rosa Ruth Sam Sara Simon Sofia Sven Tariq Tom Una Victor Wei Yara Yusuf Zoe`.split(
    ' ',
  )
const LAST_NAMES =
  `Adams Ahmed Alvarez Andersen Bauer Becker Bianchi Brown Castro Chen Costa Cruz Dubois Dumont Evans Fischer Fontaine Garcia Gomez Gruber Haddad Hansen Hoffmann Ibrahim Ivanova Jensen Jones Kaya Keller Kim Klein Kowalski Larsen Laurent Lee Lopez Martin Meyer Moreau Moreno Muller Murphy Nakamura Nguyen Novak Okafor Olsen Park Patel Perez Petrov Ramos Reyes Ricci Rossi Santos Schmidt Schulz Silva Singh Smith Sorensen Suzuki Tanaka Taylor Thomas Torres Vargas Weber Wilson Wong Yilmaz Young Zhang Ziegler`.split(
    ' ',
  )
const DOMAINS = ['example.com', 'example.org', 'example.net', 'mail.example.com', 'corp.example.org', 'shop.example.net']

const AGENT_NAMES = [
  'Alice Martin',
  'Bruno Silva',
  'Chloé Dubois',
  'Dmitri Volkov',
  'Elena Rossi',
  'Farid Haddad',
  'Greta Lindqvist',
  'Hiro Tanaka',
  'Ingrid Berg',
  'Jamal Carter',
  'Katarina Novak',
  'Luca Bianchi',
  'Mira Patel',
  'Nils Jensen',
  'Oona Virtanen',
  'Pablo Ortega',
  'Qing Li',
  'Rosa Almeida',
  'Sami Kaya',
  'Tessa de Vries',
  'Umar Sheikh',
  'Vera Kowalski',
  'Wes Thompson',
  'Xenia Pappas',
  'Yusuf Demir',
  'Zara Ahmed',
  'Aaron Weiss',
  'Bea Santos',
  'Cyril Moreau',
  'Dana Levi',
]

// Words: a few hundred support words. "order" and the rare words are kept out of these lists so
// their frequencies are exactly what the plan decides.
const NOUNS =
  `account invoice password subscription payment refund login dashboard report export import integration webhook notification email calendar workspace team project task template plan upgrade billing receipt card bank transfer shipment delivery package parcel tracking address warranty return exchange replacement device app browser update version settings profile permission role admin user seat license trial discount coupon quote contract renewal cancellation data backup file attachment document spreadsheet folder link token key certificate domain server database sync error screen button page menu form field message chat phone call meeting schedule deadline price tax receipt statement balance credit charge fee courier warehouse label size colour model battery charger screen keyboard printer camera firmware driver network connection proxy firewall cookie session cache timeout limit quota storage photo video upload download widget plugin extension feed channel inbox signature filter rule label`.split(
    /\s+/,
  )
const VERBS =
  `access open find change update reset cancel download upload connect install configure receive send pay charge refund sync load save print share invite remove delete restore verify confirm enable disable track return exchange replace renew upgrade downgrade transfer merge split export import review approve activate`.split(
    /\s+/,
  )
const PAST =
  `accessed opened found changed updated reset cancelled downloaded uploaded connected installed configured received sent paid charged refunded synced loaded saved printed shared invited removed deleted restored verified confirmed enabled disabled tracked returned exchanged replaced renewed upgraded transferred merged reviewed approved activated`.split(
    /\s+/,
  )
const ADJECTIVES =
  `slow broken missing wrong duplicate blank expired locked urgent late damaged incorrect unexpected new old previous monthly annual mobile desktop shared private public empty corrupted frozen stuck invalid unreadable delayed partial strange confusing helpful quick simple secure encrypted outdated current premium basic free standard weekly daily`.split(
    /\s+/,
  )
const PLATFORMS = `Android iPhone iPad Windows macOS Linux Chrome Firefox Safari Edge`.split(/\s+/)
const TIMES = ['yesterday', 'this morning', 'last week', 'Monday', 'Tuesday', 'Friday', 'the weekend', 'last month', 'two days ago', 'the last update']
/** Each appears in about ten conversations. */
const RARE_WORDS = [RARE_WORD, 'zeppelin', 'kumquat', 'obsidian', 'marzipan', 'tarantula', 'xylophone', 'platypus']

const SUBJECTS: ((r: Random) => string)[] = [
  (r) => `Cannot ${r.pick(VERBS)} my ${r.pick(NOUNS)}`,
  (r) => `${cap(r.pick(ADJECTIVES))} ${r.pick(NOUNS)} after the ${r.pick(NOUNS)} update`,
  (r) => `Question about my ${r.pick(NOUNS)}`,
  (r) => `${cap(r.pick(NOUNS))} not working on ${r.pick(PLATFORMS)}`,
  (r) => `Help with ${r.pick(NOUNS)} ${r.pick(NOUNS)}`,
  (r) => `Refund for a ${r.pick(ADJECTIVES)} ${r.pick(NOUNS)}`,
  (r) => `How do I ${r.pick(VERBS)} the ${r.pick(NOUNS)}?`,
  (r) => `${cap(r.pick(NOUNS))} shows a ${r.pick(ADJECTIVES)} ${r.pick(NOUNS)}`,
  (r) => `Re: ${r.pick(NOUNS)} ${r.pick(NOUNS)}`,
  (r) => `Problem with the ${r.pick(NOUNS)} page`,
  (r) => `Where is my ${r.pick(NOUNS)}?`,
  (r) => `Request to ${r.pick(VERBS)} our ${r.pick(NOUNS)}`,
]

const CUSTOMER_SENTENCES: ((r: Random) => string)[] = [
  (r) => `I cannot ${r.pick(VERBS)} my ${r.pick(NOUNS)} since ${r.pick(TIMES)}.`,
  (r) => `The ${r.pick(NOUNS)} page shows a ${r.pick(ADJECTIVES)} ${r.pick(NOUNS)} when I try to ${r.pick(VERBS)} it.`,
  (r) => `We were charged twice for the ${r.pick(ADJECTIVES)} ${r.pick(NOUNS)}.`,
  (r) => `Could you help me ${r.pick(VERBS)} the ${r.pick(NOUNS)} for our ${r.pick(NOUNS)}?`,
  (r) => `Is it possible to ${r.pick(VERBS)} the ${r.pick(NOUNS)} from the ${r.pick(NOUNS)} settings?`,
  (r) => `Since ${r.pick(TIMES)} the ${r.pick(NOUNS)} is ${r.pick(ADJECTIVES)}.`,
  (r) => `My colleague ${r.pick(FIRST_NAMES)} also sees the ${r.pick(ADJECTIVES)} ${r.pick(NOUNS)} on ${r.pick(PLATFORMS)}.`,
  (r) => `Please ${r.pick(VERBS)} the ${r.pick(NOUNS)} as soon as possible, this is ${r.pick(ADJECTIVES)} for us.`,
  (r) => `I tried to ${r.pick(VERBS)} the ${r.pick(NOUNS)} again but it is still ${r.pick(ADJECTIVES)}.`,
  (r) => `We use the ${r.pick(ADJECTIVES)} plan with ${r.int(2, 80)} seats.`,
  (r) => `The ${r.pick(NOUNS)} number is ${r.int(10000, 99999)} if that helps.`,
  (r) => `It works in ${r.pick(PLATFORMS)} but not in ${r.pick(PLATFORMS)}.`,
  () => `Nothing changed on our side as far as I know.`,
  (r) => `I attached a screenshot of the ${r.pick(NOUNS)}.`,
]
const AGENT_SENTENCES: ((r: Random) => string)[] = [
  (r) => `Thanks for reaching out about the ${r.pick(NOUNS)}.`,
  (r) => `I have ${r.pick(PAST)} the ${r.pick(NOUNS)} on your account.`,
  (r) => `Could you send me a screenshot of the ${r.pick(NOUNS)} page?`,
  (r) => `Our team is looking into the ${r.pick(ADJECTIVES)} ${r.pick(NOUNS)} and I will update you ${r.pick(['today', 'tomorrow', 'this week', 'shortly'])}.`,
  (r) => `You can ${r.pick(VERBS)} the ${r.pick(NOUNS)} under Settings > ${cap(r.pick(NOUNS))}.`,
  (r) => `I am sorry for the trouble with your ${r.pick(NOUNS)}.`,
  (r) => `The ${r.pick(NOUNS)} should be ${r.pick(PAST)} within ${r.int(1, 10)} business days.`,
  (r) => `This was caused by a ${r.pick(ADJECTIVES)} ${r.pick(NOUNS)} on our side, and it is fixed now.`,
  (r) => `If you ${r.pick(VERBS)} the ${r.pick(NOUNS)} once more, it should work again.`,
  (r) => `Let me know if anything else looks ${r.pick(ADJECTIVES)}.`,
]
const NOTE_SENTENCES: ((r: Random) => string)[] = [
  (r) => `Checked the logs: the ${r.pick(NOUNS)} looks ${r.pick(ADJECTIVES)} on our side.`,
  (r) => `${r.pick(AGENT_NAMES).split(' ')[0]}, could you have a look at the ${r.pick(NOUNS)}?`,
  (r) => `Customer is on the ${r.pick(ADJECTIVES)} plan; renewal is next month.`,
  (r) => `Reproduced on staging and linked to the ${r.pick(NOUNS)} ticket.`,
]
const ORDER_SENTENCES: ((r: Random) => string)[] = [
  (r) => `My ${COMMON_WORD} number is ${r.int(100000, 999999)}.`,
  () => `The ${COMMON_WORD} has not arrived yet.`,
  (r) => `I placed the ${COMMON_WORD} on ${r.pick(TIMES)}.`,
  (r) => `I checked your ${COMMON_WORD} and the ${r.pick(NOUNS)} is ${r.pick(PAST)}.`,
  (r) => `Your ${COMMON_WORD} ${r.int(100000, 999999)} is on its way.`,
]
const GREETINGS = ['Hello,', 'Hi there,', 'Hi,', 'Good morning,', 'Dear support team,', 'Hey,']
const SIGNOFFS = ['Thanks', 'Best', 'Kind regards', 'Cheers', 'Many thanks', 'Best regards']

function cap(s: string) {
  return s.charAt(0).toUpperCase() + s.slice(1)
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c)
}

function textToHtml(text: string): string {
  return text
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('')
}

function snippetOf(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 140)
}

// Small attachment contents, deduplicated by SHA-256 in the blobs table.
function makeBlobs(): { sha256: string; data: Buffer; fileName: string; mimeType: string }[] {
  const blobs = []
  for (let i = 0; i < 12; i++) {
    const data = Buffer.from(
      `Log export ${i}\n` + Array.from({ length: 40 + i * 7 }, (_, k) => `2026-01-${String((k % 28) + 1).padStart(2, '0')} INFO line ${k}`).join('\n'),
    )
    blobs.push({ data, fileName: `log-${i + 1}.txt`, mimeType: 'text/plain' })
  }
  // A 1x1 PNG (varying one palette byte) and a minimal PDF.
  const png = Buffer.from(
    '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082',
    'hex',
  )
  for (let i = 0; i < 6; i++) {
    const data = Buffer.concat([png, Buffer.from([i])])
    blobs.push({ data, fileName: `screenshot-${i + 1}.png`, mimeType: 'image/png' })
  }
  for (let i = 0; i < 6; i++) {
    const data = Buffer.from(`%PDF-1.4\n% Invoice ${2024 + i}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`)
    blobs.push({ data, fileName: `invoice-${2024 + i}.pdf`, mimeType: 'application/pdf' })
  }
  return blobs.map((b) => ({ ...b, sha256: createHash('sha256').update(b.data).digest('hex') }))
}

// ---------------------------------------------------------------------------------------------
// Options and the plan.

export interface SeedOptions {
  conversations: number
  messagesPer: number
  append: boolean
  seed: number
  batch: number
  now: Date
}

type Status = 'new' | 'open' | 'pending' | 'closed'
type Kind = 'customer' | 'agent' | 'internal'

interface Reference {
  folderIds: number[]
  /** Agents who may take conversations of each folder (members). */
  membersOf: Map<number, number[]>
  tagIds: { id: number; name: string }[]
  blobs: ReturnType<typeof makeBlobs>
  customerFirst: number
  customerCount: number
}

/** Column arrays for one batch, fed to INSERT … SELECT FROM unnest(…). */
class Batch {
  c = {
    id: [] as number[],
    number: [] as number[],
    subject: [] as string[],
    status: [] as string[],
    channel: [] as string[],
    folderId: [] as number[],
    assigneeId: [] as (number | null)[],
    customerId: [] as number[],
    snippet: [] as string[],
    messageCount: [] as number[],
    lastActivityAt: [] as number[],
    lastCustomerMessageAt: [] as (number | null)[],
    lastAgentReplyAt: [] as (number | null)[],
    pendingSince: [] as (number | null)[],
    closedAt: [] as (number | null)[],
    closedByKind: [] as (string | null)[],
    closedById: [] as (number | null)[],
    createdAt: [] as number[],
  }
  m = {
    id: [] as number[],
    conversationId: [] as number[],
    kind: [] as string[],
    authorAgentId: [] as (number | null)[],
    customerId: [] as (number | null)[],
    bodyHtml: [] as string[],
    bodyText: [] as string[],
    emailMessageId: [] as (string | null)[],
    createdAt: [] as number[],
  }
  h = {
    conversationId: [] as number[],
    actorKind: [] as string[],
    actorAgentId: [] as (number | null)[],
    type: [] as string[],
    data: [] as string[],
    createdAt: [] as number[],
  }
  t = { conversationId: [] as number[], tagId: [] as number[], createdAt: [] as number[] }
  a = {
    conversationId: [] as number[],
    messageId: [] as number[],
    blobSha256: [] as string[],
    fileName: [] as string[],
    mimeType: [] as string[],
    size: [] as number[],
    createdAt: [] as number[],
  }
}

const STATUS_WEIGHTS: [Status, number][] = [
  ['new', 0.08],
  ['open', 0.12],
  ['pending', 0.15],
  ['closed', 0.65],
]
/** How long ago the last activity of each status may be: closed ones span two years. */
const AGE: Record<Status, [number, number]> = {
  new: [5 * MINUTE, 3 * DAY],
  open: [30 * MINUTE, 30 * DAY],
  pending: [1 * HOUR, 20 * DAY],
  closed: [1 * HOUR, 730 * DAY],
}
const UNASSIGNED: Record<Status, number> = { new: 0.7, open: 0.2, pending: 0.1, closed: 0.1 }

function pickStatus(r: Random): Status {
  let x = r.next()
  for (const [s, w] of STATUS_WEIGHTS) {
    if ((x -= w) < 0) return s
  }
  return 'closed'
}

/** messagesPer on average: mostly around it, and 1 % long threads of ten messages. */
function messageCountFor(r: Random, messagesPer: number): number {
  if (r.chance(0.01)) return Math.max(10, messagesPer)
  const spread = Math.min(2, messagesPer - 1)
  const x = r.next()
  const delta = x < 0.1 ? -spread : x < 0.3 ? -Math.min(1, spread) : x < 0.7 ? 0 : x < 0.9 ? Math.min(1, spread) : spread
  return Math.max(1, messagesPer + delta)
}

/**
 * What is decided for every conversation up front: status, size and times. Ids are then given in
 * creation order, as a real help desk numbers its conversations (recent ones have high ids).
 */
interface Skeleton {
  status: Uint8Array
  size: Uint8Array
  last: Float64Array
  span: Float64Array
  /** Indexes into the arrays above, oldest creation first. */
  order: Uint32Array
}

const STATUS_CODES: Status[] = ['new', 'open', 'pending', 'closed']

function planSkeleton(r: Random, opts: SeedOptions): Skeleton {
  const n = opts.conversations
  const sk: Skeleton = { status: new Uint8Array(n), size: new Uint8Array(n), last: new Float64Array(n), span: new Float64Array(n), order: new Uint32Array(n) }
  const nowMs = opts.now.getTime()
  const created = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const status = pickStatus(r)
    const [minAgo, maxAgo] = AGE[status]
    const size = messageCountFor(r, opts.messagesPer)
    const last = nowMs - Math.round(minAgo + r.next() * (maxAgo - minAgo))
    const span = Math.round((size > 1 ? r.next() * 4 * DAY : 0) + 2 * MINUTE)
    sk.status[i] = STATUS_CODES.indexOf(status)
    sk.size[i] = Math.min(255, size)
    sk.last[i] = last
    sk.span[i] = span
    created[i] = last - span
  }
  const order = Array.from({ length: n }, (_, i) => i)
  order.sort((a, b) => created[a]! - created[b]!)
  sk.order.set(order)
  return sk
}

interface Counters {
  nextConversation: number
  nextNumber: number
  nextMessage: number
  conversations: number
  messages: number
  events: number
  tags: number
  attachments: number
}

function planBatch(r: Random, ref: Reference, opts: SeedOptions, sk: Skeleton, from: number, count: number, counters: Counters, rareEvery: number): Batch {
  const b = new Batch()
  for (let k = 0; k < count; k++) {
    const s = sk.order[from + k]!
    const id = counters.nextConversation++
    const number = counters.nextNumber++
    const status = STATUS_CODES[sk.status[s]!]!
    const folderId = r.pickSkewed(ref.folderIds, 1.6)
    const members = ref.membersOf.get(folderId) ?? []
    const assigneeId = members.length && !r.chance(UNASSIGNED[status]) ? r.pick(members) : null
    const worker = assigneeId ?? (members.length ? r.pick(members) : null)
    // Customers: a few write often (skewed), most only once or twice.
    const customerId = ref.customerFirst + Math.floor(r.next() ** 1.5 * ref.customerCount)
    const last = sk.last[s]!
    const n = sk.size[s]!
    const span = sk.span[s]!
    const created = last - span

    // Kinds, from the end: pending waits for the customer (agent spoke last), new and open wait
    // for an agent (customer spoke last); a few internal comments in between.
    const lastKind: Kind = status === 'pending' ? 'agent' : status === 'closed' ? (r.chance(0.6) ? 'agent' : 'customer') : 'customer'
    const kinds: Kind[] = []
    for (let i = 0; i < n; i++) {
      const fromEnd = n - 1 - i
      let kind: Kind = status === 'new' ? 'customer' : fromEnd % 2 === 0 ? lastKind : lastKind === 'agent' ? 'customer' : 'agent'
      if (i > 0 && i < n - 1 && r.chance(0.12)) kind = 'internal'
      kinds.push(kind)
    }
    const channel = kinds[0] === 'agent' ? 'agent' : r.chance(0.8) ? 'email' : 'portal'

    let lastCustomer: number | null = null
    let lastAgent: number | null = null
    let lastPublicText = ''
    let firstAgentAt: number | null = null
    let firstMessageId = 0
    const customerFirstName = r.pick(FIRST_NAMES)
    const rare = rareEvery > 0 && id % rareEvery === 7 ? RARE_WORDS[Math.floor(id / rareEvery) % RARE_WORDS.length]! : null
    for (let i = 0; i < n; i++) {
      const kind = kinds[i]!
      const at = n === 1 ? last : created + Math.round((span * i) / (n - 1))
      const messageId = counters.nextMessage++
      if (i === 0) firstMessageId = messageId
      const sentences: string[] = []
      let text: string
      if (kind === 'internal') {
        text = r.pick(NOTE_SENTENCES)(r)
        if (r.chance(0.3)) text += ` ${cap(COMMON_WORD)} ${r.int(100000, 999999)} is relevant here.`
      } else {
        const pool = kind === 'customer' ? CUSTOMER_SENTENCES : AGENT_SENTENCES
        const k = r.int(2, 5)
        for (let s = 0; s < k; s++) sentences.push(r.pick(pool)(r))
        if (r.chance(0.3)) sentences.splice(r.int(0, sentences.length), 0, r.pick(ORDER_SENTENCES)(r))
        if (rare && i === n - 1) sentences.push(`It all feels a bit ${rare} to be honest.`)
        const body = sentences.join(' ')
        text =
          kind === 'customer'
            ? `${r.pick(GREETINGS)}\n\n${body}\n\n${r.pick(SIGNOFFS)},\n${customerFirstName}`
            : `Hi ${customerFirstName},\n\n${body}\n\n${r.pick(SIGNOFFS)},\n${AGENT_NAMES[(worker ?? 1) % AGENT_NAMES.length]!.split(' ')[0]}`
        lastPublicText = text
      }
      if (kind === 'customer') lastCustomer = at
      if (kind === 'agent') {
        lastAgent = at
        firstAgentAt ??= at
      }
      b.m.id.push(messageId)
      b.m.conversationId.push(id)
      b.m.kind.push(kind)
      b.m.authorAgentId.push(kind === 'customer' ? null : (worker ?? null))
      b.m.customerId.push(kind === 'customer' ? customerId : null)
      b.m.bodyText.push(text)
      b.m.bodyHtml.push(textToHtml(text))
      b.m.emailMessageId.push(kind === 'internal' || (kind === 'customer' && channel === 'portal') ? null : `<s${messageId}.${opts.seed}@bench.suivi.test>`)
      b.m.createdAt.push(at)
    }
    counters.messages += n

    // History: created, assigned, tagged, status changes.
    const event = (type: string, actorKind: string, actorAgentId: number | null, data: object, at: number) => {
      b.h.conversationId.push(id)
      b.h.actorKind.push(actorKind)
      b.h.actorAgentId.push(actorAgentId)
      b.h.type.push(type)
      b.h.data.push(JSON.stringify(data))
      b.h.createdAt.push(at)
      counters.events++
    }
    event('conversation.created', channel === 'agent' ? 'agent' : 'customer', channel === 'agent' ? worker : null, { channel }, created)
    if (assigneeId) event('conversation.assigned', 'agent', worker, { from: null, to: assigneeId }, created + Math.min(span, 10 * MINUTE) / 2)
    const tagCount = r.chance(0.35) ? (r.chance(0.25) ? 2 : 1) : 0
    const chosen = new Set<number>()
    for (let i = 0; i < tagCount; i++) {
      const tag = r.pickSkewed(ref.tagIds, 1.8)
      if (chosen.has(tag.id)) continue
      chosen.add(tag.id)
      const at = created + Math.min(span, 20 * MINUTE) / 2
      b.t.conversationId.push(id)
      b.t.tagId.push(tag.id)
      b.t.createdAt.push(at)
      counters.tags++
      event('conversation.tagged', 'agent', worker, { tag: tag.name }, at)
    }
    let closedAt: number | null = null
    let closedByKind: string | null = null
    let closedById: number | null = null
    if (status !== 'new') {
      const to = status === 'pending' || (status === 'closed' && firstAgentAt !== null) ? 'pending' : 'open'
      event(
        'status.changed',
        firstAgentAt !== null ? 'agent' : 'system',
        firstAgentAt !== null ? worker : null,
        { from: 'new', to },
        firstAgentAt ?? created + MINUTE,
      )
      if (status === 'open' && to === 'pending') event('status.changed', 'system', null, { from: 'pending', to: 'open' }, last)
      if (status === 'closed') {
        closedAt = last
        if (r.chance(0.2) && lastKind === 'agent') {
          closedByKind = 'system'
          event('conversation.auto_closed', 'system', null, { afterDays: 30 }, last)
        } else {
          closedByKind = 'agent'
          closedById = worker
        }
        event('status.changed', closedByKind, closedById, { from: to, to: 'closed' }, last)
      }
    }

    // Attachments on about 5 % of conversations, on the first message.
    if (r.chance(0.05)) {
      const blob = r.pick(ref.blobs)
      b.a.conversationId.push(id)
      b.a.messageId.push(firstMessageId)
      b.a.blobSha256.push(blob.sha256)
      b.a.fileName.push(blob.fileName)
      b.a.mimeType.push(blob.mimeType)
      b.a.size.push(blob.data.length)
      b.a.createdAt.push(created)
      counters.attachments++
    }

    b.c.id.push(id)
    b.c.number.push(number)
    b.c.subject.push(r.pick(SUBJECTS)(r).slice(0, 250))
    b.c.status.push(status)
    b.c.channel.push(channel)
    b.c.folderId.push(folderId)
    b.c.assigneeId.push(assigneeId)
    b.c.customerId.push(customerId)
    b.c.snippet.push(snippetOf(lastPublicText))
    b.c.messageCount.push(n)
    b.c.lastActivityAt.push(last)
    b.c.lastCustomerMessageAt.push(lastCustomer)
    b.c.lastAgentReplyAt.push(lastAgent)
    b.c.pendingSince.push(status === 'pending' ? last : null)
    b.c.closedAt.push(closedAt)
    b.c.closedByKind.push(closedByKind)
    b.c.closedById.push(closedById)
    b.c.createdAt.push(created)
    counters.conversations++
  }
  return b
}

// Timestamps travel as epoch milliseconds (float8) and are converted in SQL.
const ts = (col: string) => `to_timestamp(${col} / 1000.0)`

async function writeBatch(client: pg.PoolClient, b: Batch) {
  const c = b.c
  await client.query(
    `INSERT INTO conversations (id, number, subject, status, channel, "folderId", "assigneeId", "customerId", snippet, "messageCount",
       "lastActivityAt", "lastCustomerMessageAt", "lastAgentReplyAt", "pendingSince", "closedAt", "closedByKind", "closedById", "createdAt", "updatedAt")
     SELECT id, number, subject, status::"ConversationStatus", channel::"Channel", "folderId", "assigneeId", "customerId", snippet, "messageCount",
       ${ts('la')}, ${ts('lc')}, ${ts('lr')}, ${ts('ps')}, ${ts('ca')}, "closedByKind"::"ActorKind", "closedById", ${ts('cr')}, ${ts('la')}
     FROM unnest($1::int[], $2::int[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[], $8::int[], $9::text[], $10::int[],
       $11::float8[], $12::float8[], $13::float8[], $14::float8[], $15::float8[], $16::text[], $17::int[], $18::float8[])
       AS t(id, number, subject, status, channel, "folderId", "assigneeId", "customerId", snippet, "messageCount", la, lc, lr, ps, ca, "closedByKind", "closedById", cr)`,
    [
      c.id,
      c.number,
      c.subject,
      c.status,
      c.channel,
      c.folderId,
      c.assigneeId,
      c.customerId,
      c.snippet,
      c.messageCount,
      c.lastActivityAt,
      c.lastCustomerMessageAt,
      c.lastAgentReplyAt,
      c.pendingSince,
      c.closedAt,
      c.closedByKind,
      c.closedById,
      c.createdAt,
    ],
  )
  const m = b.m
  await client.query(
    `INSERT INTO messages (id, "conversationId", kind, "authorAgentId", "customerId", "bodyHtml", "bodyText", "emailMessageId", "createdAt")
     SELECT id, "conversationId", kind::"MessageKind", "authorAgentId", "customerId", "bodyHtml", "bodyText", "emailMessageId", ${ts('cr')}
     FROM unnest($1::int[], $2::int[], $3::text[], $4::int[], $5::int[], $6::text[], $7::text[], $8::text[], $9::float8[])
       AS t(id, "conversationId", kind, "authorAgentId", "customerId", "bodyHtml", "bodyText", "emailMessageId", cr)`,
    [m.id, m.conversationId, m.kind, m.authorAgentId, m.customerId, m.bodyHtml, m.bodyText, m.emailMessageId, m.createdAt],
  )
  const h = b.h
  await client.query(
    `INSERT INTO events ("conversationId", "folderId", "actorKind", "actorAgentId", type, data, "createdAt")
     SELECT t."conversationId", c."folderId", t."actorKind"::"ActorKind", t."actorAgentId", t.type, t.data::jsonb, ${ts('cr')}
     FROM unnest($1::int[], $2::text[], $3::int[], $4::text[], $5::text[], $6::float8[]) WITH ORDINALITY AS t("conversationId", "actorKind", "actorAgentId", type, data, cr, n)
     JOIN conversations c ON c.id = t."conversationId" ORDER BY t.n`,
    [h.conversationId, h.actorKind, h.actorAgentId, h.type, h.data, h.createdAt],
  )
  if (b.t.conversationId.length) {
    await client.query(
      `INSERT INTO conversation_tags ("conversationId", "tagId", "createdAt")
       SELECT "conversationId", "tagId", ${ts('cr')} FROM unnest($1::int[], $2::int[], $3::float8[]) AS t("conversationId", "tagId", cr)`,
      [b.t.conversationId, b.t.tagId, b.t.createdAt],
    )
  }
  const a = b.a
  if (a.conversationId.length) {
    await client.query(
      `INSERT INTO attachments ("conversationId", "messageId", "blobSha256", "fileName", "mimeType", size, "createdAt")
       SELECT "conversationId", "messageId", "blobSha256", "fileName", "mimeType", size, ${ts('cr')}
       FROM unnest($1::int[], $2::int[], $3::text[], $4::text[], $5::text[], $6::int[], $7::float8[]) AS t("conversationId", "messageId", "blobSha256", "fileName", "mimeType", size, cr)`,
      [a.conversationId, a.messageId, a.blobSha256, a.fileName, a.mimeType, a.size, a.createdAt],
    )
  }
}

// ---------------------------------------------------------------------------------------------

/** A one-line progress bar on stderr with the rate and the time left. */
function progressBar(label: string, total: number) {
  const started = performance.now()
  let last = 0
  return (done: number) => {
    const now = performance.now()
    if (done < total && now - last < 250) return
    last = now
    const width = 30
    const filled = Math.round((done / total) * width)
    const seconds = (now - started) / 1000
    const rate = done / Math.max(seconds, 0.001)
    const eta = rate > 0 ? (total - done) / rate : 0
    const line = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done.toLocaleString('en')}/${total.toLocaleString('en')} ${Math.round(rate).toLocaleString('en')}/s ${done < total ? `ETA ${formatSeconds(eta)}` : `in ${formatSeconds(seconds)}`}`
    process.stderr.write(`\r${line.padEnd(100)}${done >= total ? '\n' : ''}`)
  }
}

function formatSeconds(s: number) {
  if (s < 90) return `${s.toFixed(1)} s`
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`
}

async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const started = performance.now()
  process.stderr.write(`${label}…`)
  const result = await fn()
  process.stderr.write(` ${formatSeconds((performance.now() - started) / 1000)}\n`)
  return result
}

const BULK_TABLES = ['customers', 'customer_addresses', 'conversations', 'messages', 'events', 'conversation_tags', 'attachments']

export class SeedRefusedError extends Error {}

export async function seed(db: Database, opts: SeedOptions) {
  const started = performance.now()
  const r = createRandom(opts.seed)
  const client = await db.pool.connect()
  try {
    const existing = Number((await client.query('SELECT count(*)::int AS n FROM (SELECT 1 FROM conversations LIMIT 1) s')).rows[0].n)
    if (existing > 0 && !opts.append) {
      throw new SeedRefusedError('This database already has conversations. Use --append to add more, or seed an empty database (a new DATABASE_URL).')
    }
    const passwordHash = await hashPassword(BENCH_PASSWORD)
    const superuser = (await client.query('SELECT rolsuper FROM pg_roles WHERE rolname = current_user')).rows[0]?.rolsuper === true

    await client.query('BEGIN')
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('suivi:seed'))`)
    await client.query(`SET LOCAL maintenance_work_mem = '1GB'`)
    await client.query(`SET LOCAL work_mem = '64MB'`)
    // Foreign keys are checked by triggers; every reference here is generated consistent, and
    // skipping them halves the load time. Only a superuser may.
    if (superuser) await client.query(`SET LOCAL session_replication_role = replica`)

    // Reference data: kept when it exists (by name or e-mail), created otherwise.
    const folderIds: number[] = []
    for (const [i, f] of FOLDERS.entries()) {
      const { rows } = await client.query(
        `INSERT INTO folders (name, position, "inboundAddress", "signatureHtml", "createdAt", "updatedAt") VALUES ($1, $2, $3, '', now(), now())
         ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id`,
        [f.name, i, f.address],
      )
      folderIds.push(rows[0].id)
    }
    const upsertAgent = async (name: string, email: string, role: 'admin' | 'agent') =>
      (
        await client.query(
          `INSERT INTO agents (email, name, "passwordHash", role, active, "createdAt", "updatedAt") VALUES ($1, $2, $3, $4::"AgentRole", true, now(), now())
           ON CONFLICT (email) DO UPDATE SET "passwordHash" = EXCLUDED."passwordHash", role = EXCLUDED.role, active = true, "deactivatedAt" = NULL RETURNING id`,
          [email, name, passwordHash, role],
        )
      ).rows[0].id as number
    const agentIds: number[] = []
    for (const [i, name] of AGENT_NAMES.entries()) {
      agentIds.push(await upsertAgent(name, `agent${String(i + 1).padStart(2, '0')}@bench.suivi.test`, 'agent'))
    }
    await upsertAgent('Bench Admin', BENCH_ADMIN_EMAIL, 'admin')
    const benchAgent = await upsertAgent('Bench Agent', BENCH_AGENT_EMAIL, 'agent')
    const memberships: [number, number][] = []
    for (const [i, agentId] of agentIds.entries()) {
      // Everyone in one "home" folder, many in a second, some in a third.
      const home = folderIds[i % folderIds.length]!
      const set = new Set([home])
      if (r.chance(0.6)) set.add(r.pickSkewed(folderIds, 1.5))
      if (r.chance(0.25)) set.add(r.pick(folderIds))
      for (const f of set) memberships.push([agentId, f])
    }
    for (const f of folderIds.slice(0, 3)) memberships.push([benchAgent, f])
    await client.query(`INSERT INTO folder_members ("agentId", "folderId") SELECT * FROM unnest($1::int[], $2::int[]) ON CONFLICT DO NOTHING`, [
      memberships.map((m) => m[0]),
      memberships.map((m) => m[1]),
    ])
    const membersRows = (
      await client.query(`SELECT fm."folderId", fm."agentId" FROM folder_members fm JOIN agents a ON a.id = fm."agentId" WHERE a.active ORDER BY 1, 2`)
    ).rows
    const membersOf = new Map<number, number[]>()
    for (const row of membersRows) membersOf.set(row.folderId, [...(membersOf.get(row.folderId) ?? []), row.agentId])
    const tagIds: { id: number; name: string }[] = []
    for (const t of TAGS) {
      const { rows } = await client.query(
        `INSERT INTO tags (name, colour, "createdAt") VALUES ($1, $2, now()) ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id, name`,
        [t.name, t.colour],
      )
      tagIds.push(rows[0])
    }
    const blobs = makeBlobs()
    for (const bl of blobs) {
      await client.query(`INSERT INTO blobs (sha256, size, data, "createdAt") VALUES ($1, $2, $3, now()) ON CONFLICT DO NOTHING`, [
        bl.sha256,
        bl.data.length,
        bl.data,
      ])
    }
    console.log(
      `reference data: ${folderIds.length} folders, ${agentIds.length + 2} agents (${memberships.length} memberships), ${tagIds.length} tags, ${blobs.length} attachment blobs`,
    )

    // Bulk load with the secondary indexes dropped (rebuilt below, in this same transaction).
    let indexes: { name: string; def: string }[] = []
    if (!opts.append) {
      indexes = (
        await client.query(
          `SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS def
           FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
           WHERE t.relname = ANY($1) AND t.relnamespace = 'public'::regnamespace AND NOT x.indisprimary
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
           ORDER BY pg_relation_size(t.oid) DESC, i.relname`,
          [BULK_TABLES],
        )
      ).rows
      for (const ix of indexes) await client.query(`DROP INDEX "${ix.name}"`)
    }

    const base = (
      await client.query(`SELECT (SELECT COALESCE(max(id), 0) FROM customers) AS cu, (SELECT COALESCE(max(id), 0) FROM conversations) AS c,
      (SELECT COALESCE(max(number), 0) FROM conversations) AS n, (SELECT COALESCE(max(id), 0) FROM messages) AS m`)
    ).rows[0]

    // Customers: about one for three conversations.
    const customerCount = Math.max(1, Math.round(opts.conversations / 3))
    const customerFirst = Number(base.cu) + 1
    const customerTick = progressBar('customers    ', customerCount)
    for (let done = 0; done < customerCount;) {
      const n = Math.min(opts.batch * 2, customerCount - done)
      const ids: number[] = []
      const names: string[] = []
      const emails: string[] = []
      const created: number[] = []
      for (let i = 0; i < n; i++) {
        const id = customerFirst + done + i
        const first = r.pick(FIRST_NAMES)
        const lastName = r.pick(LAST_NAMES)
        ids.push(id)
        names.push(r.chance(0.9) ? `${first} ${lastName}` : '')
        emails.push(`${first}.${lastName}.${id}@${r.pick(DOMAINS)}`.toLowerCase())
        created.push(opts.now.getTime() - Math.round(r.next() * 760 * DAY))
      }
      await client.query(
        `INSERT INTO customers (id, email, name, "createdAt", "updatedAt") SELECT id, email, name, ${ts('cr')}, ${ts('cr')}
         FROM unnest($1::int[], $2::text[], $3::text[], $4::float8[]) AS t(id, email, name, cr)`,
        [ids, emails, names, created],
      )
      // Customers are found by any of their addresses; the first is their own.
      await client.query(
        `INSERT INTO customer_addresses ("customerId", email, "createdAt") SELECT id, email, ${ts('cr')}
         FROM unnest($1::int[], $2::text[], $3::float8[]) AS t(id, email, cr)`,
        [ids, emails, created],
      )
      done += n
      customerTick(done)
    }

    // Conversations with everything in them, batch by batch; the next batch is planned while
    // the database writes the previous one.
    const ref: Reference = { folderIds, membersOf, tagIds, blobs, customerFirst, customerCount }
    const counters: Counters = {
      nextConversation: Number(base.c) + 1,
      nextNumber: Number(base.n) + 1,
      nextMessage: Number(base.m) + 1,
      conversations: 0,
      messages: 0,
      events: 0,
      tags: 0,
      attachments: 0,
    }
    // About ten conversations per rare word.
    const rareEvery = Math.max(50, Math.floor(opts.conversations / (10 * RARE_WORDS.length)))
    const skeleton = planSkeleton(r, opts)
    const tick = progressBar('conversations', opts.conversations)
    let writing: Promise<void> | null = null
    let planned = 0
    while (planned < opts.conversations) {
      const n = Math.min(opts.batch, opts.conversations - planned)
      const batch = planBatch(r, ref, opts, skeleton, planned, n, counters, rareEvery)
      planned += n
      if (writing) await writing
      const doneAfter = planned
      writing = writeBatch(client, batch).then(() => tick(doneAfter))
    }
    if (writing) await writing

    for (const ix of indexes) await timed(`index ${ix.name}`, () => client.query(ix.def))
    await client.query(`SELECT setval(pg_get_serial_sequence('customers', 'id'), (SELECT max(id) FROM customers))`)
    await client.query(`SELECT setval(pg_get_serial_sequence('conversations', 'id'), (SELECT max(id) FROM conversations))`)
    await client.query(`SELECT setval(pg_get_serial_sequence('conversations', 'number'), (SELECT max(number) FROM conversations))`)
    await client.query(`SELECT setval(pg_get_serial_sequence('messages', 'id'), (SELECT max(id) FROM messages))`)
    await timed('commit', () => client.query('COMMIT'))

    await timed('vacuum analyze', async () => {
      for (const t of [...BULK_TABLES, 'agents', 'folders', 'folder_members', 'tags', 'blobs']) await client.query(`VACUUM (ANALYZE) ${t}`)
    })
    const seconds = (performance.now() - started) / 1000
    const size = (await client.query(`SELECT pg_size_pretty(pg_database_size(current_database())) AS s`)).rows[0].s
    return { ...counters, customers: customerCount, seconds, size, rareWords: RARE_WORDS }
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {})
    throw err
  } finally {
    client.release()
  }
}

// ---------------------------------------------------------------------------------------------
// Command line

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      conversations: { type: 'string', default: '10000' },
      'messages-per': { type: 'string', default: '3' },
      append: { type: 'boolean', default: false },
      seed: { type: 'string', default: '42' },
      batch: { type: 'string', default: '2000' },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) {
    console.log('npm run seed -- --conversations 100000 [--messages-per 3] [--append] [--seed 42] [--batch 2000]   (DATABASE_URL selects the database)')
    return 0
  }
  const opts: SeedOptions = {
    conversations: Number(values.conversations),
    messagesPer: Number(values['messages-per']),
    append: values.append,
    seed: Number(values.seed),
    batch: Number(values.batch),
    now: new Date(),
  }
  for (const [name, v] of [
    ['--conversations', opts.conversations],
    ['--messages-per', opts.messagesPer],
    ['--batch', opts.batch],
    ['--seed', opts.seed],
  ] as const) {
    if (!Number.isInteger(v) || v < (name === '--seed' ? 0 : 1)) {
      console.error(`${name} must be a positive whole number`)
      return 1
    }
  }
  let databaseUrl: string | undefined
  let dataDir: string
  try {
    const config = loadConfigFromEnvironment()
    databaseUrl = config.databaseUrl
    dataDir = config.dataDir
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message)
      return 1
    }
    throw err
  }
  if (!databaseUrl && opts.conversations > EMBEDDED_LIMIT) {
    console.error(
      `DATABASE_URL is not set, so this would fill the embedded database (PGlite), which is single-threaded WebAssembly and not meant for ${opts.conversations.toLocaleString('en')} conversations.\n` +
        `Seeds above ${EMBEDDED_LIMIT.toLocaleString('en')} conversations need a PostgreSQL server, for example:\n` +
        `  createdb -h 127.0.0.1 -U postgres suivi_bench_100k\n` +
        `  DATABASE_URL=postgresql://postgres@127.0.0.1:5432/suivi_bench_100k npm run seed -- --conversations ${opts.conversations}`,
    )
    return 1
  }
  const logger = createLogger('error')
  console.log(`database… ${databaseUrl ? databaseUrl.replace(/\/\/[^@/]*@/, '//…@') : 'embedded'} (migrations are applied first)`)
  let db: Database
  try {
    db = await openDatabase({ databaseUrl, dataDir, logger, poolSize: 2 })
  } catch (err) {
    if (err instanceof EmbeddedDatabaseBusyError) console.error(embeddedDatabaseBusyMessage('npm run seed', err.dataDir))
    else console.error(`Could not open the database: ${err instanceof Error ? err.message : String(err)}`)
    return 1
  }
  try {
    console.log(
      `seeding ${opts.conversations.toLocaleString('en')} conversations, ${opts.messagesPer} messages each on average${opts.append ? ' (appending)' : ''}`,
    )
    const res = await seed(db, opts)
    console.log('')
    console.log(`customers       ${res.customers.toLocaleString('en')}`)
    console.log(`conversations   ${res.conversations.toLocaleString('en')}`)
    console.log(`messages        ${res.messages.toLocaleString('en')}`)
    console.log(`history events  ${res.events.toLocaleString('en')}`)
    console.log(`tags on them    ${res.tags.toLocaleString('en')}`)
    console.log(`attachments     ${res.attachments.toLocaleString('en')}`)
    console.log(
      `search words    "${COMMON_WORD}" in ~30 % of messages; "${RARE_WORD}" and ${res.rareWords.length - 1} other rare words in ~10 conversations each`,
    )
    console.log(`sign in as      ${BENCH_ADMIN_EMAIL} / ${BENCH_AGENT_EMAIL}, password "${BENCH_PASSWORD}"`)
    console.log(`database size   ${res.size}`)
    console.log(`done in ${formatSeconds(res.seconds)}`)
    return 0
  } catch (err) {
    if (err instanceof SeedRefusedError) {
      console.error(err.message)
      return 1
    }
    throw err
  } finally {
    await db.close()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(err)
      process.exit(1)
    },
  )
}
