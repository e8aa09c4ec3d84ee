// Fills a PostgreSQL database with a large, realistic help desk for benchmarks:
//
//   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/suivi_bench_100k npm run seed -- --conversations 100000 [--messages-per 3] [--append]
//
// Folders, agents (with folder memberships), tags, customers (about one per three conversations),
// conversations with a help desk's status mix spread over two years, messages with real words
// (including internal comments), tags and attachments on a share of them, and the event log the
// commands and the lifecycle sweep would have written: created (carrying the first message), one
// event per later message, assignments, tags, every status change, reminders, the customers'
// answers, automatic closings, and satisfaction ratings on about 30 % of the closed conversations
// that had a reply. Every folder asks for ratings; half have office hours. The report rollups are
// built from that log at the end (--no-reports skips it; npm run reports:rebuild builds them later).
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
import type { Database } from '../src/db/database.ts'
import { hashPassword } from '../src/domain/agents/passwords.ts'
import { businessHoursSchema, type BusinessHours } from '../src/domain/reports/businessHours.ts'
import { rebuildReports, ROLLUP_TABLES } from '../src/domain/reports/rebuild.ts'
import { mulberry32 } from './seededRandom.ts'
import { openToolDatabase, toolDatabaseConfig } from './toolDatabase.ts'

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
  const next = mulberry32(seed)
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
  { name: 'General', address: null, timeZone: 'Europe/Paris' },
  { name: 'Billing', address: 'billing@bench.suivi.test', timeZone: 'Europe/Paris' },
  { name: 'Technical', address: 'tech@bench.suivi.test', timeZone: 'UTC' },
  { name: 'Shipping', address: 'shipping@bench.suivi.test', timeZone: 'Europe/Berlin' },
  { name: 'Sales', address: 'sales@bench.suivi.test', timeZone: 'America/New_York' },
  { name: 'Accounts', address: 'accounts@bench.suivi.test', timeZone: 'Europe/Paris' },
  { name: 'Mobile', address: 'mobile@bench.suivi.test', timeZone: 'Europe/London' },
  { name: 'Enterprise', address: 'enterprise@bench.suivi.test', timeZone: 'America/Los_Angeles' },
  { name: 'Partners', address: 'partners@bench.suivi.test', timeZone: 'Asia/Singapore' },
  { name: 'Feedback', address: 'feedback@bench.suivi.test', timeZone: 'UTC' },
]
/** The opening hours of every other folder: Monday to Friday, 09:00–18:00 in its time zone, closed on New Year's Day and Christmas. */
function officeHours(now: Date): BusinessHours {
  const day: [string, string][] = [['09:00', '18:00']]
  const year = now.getUTCFullYear()
  const holidays = [year - 2, year - 1, year, year + 1].flatMap((y) => [`${y}-01-01`, `${y}-12-25`])
  return businessHoursSchema.parse({ week: { mon: day, tue: day, wed: day, thu: day, fri: day, sat: [], sun: [] }, holidays })
}

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
const RATING_COMMENTS: Record<string, string[]> = {
  great: ['Quick and friendly, thank you!', 'Solved in one reply, great service.', 'Very helpful, thanks a lot.', 'Clear answer, everything works now.'],
  okay: ['It works now, but it took a while.', 'Fine in the end, though I had to explain twice.', 'OK, the answer was a bit short.'],
  bad: ['Nobody really read my message.', 'Still not working and the conversation was closed.', 'Too slow, I waited days for an answer.'],
}
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
  /** Build the report rollups at the end. */
  reports: boolean
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
    reminderSentAt: [] as (number | null)[],
    createdAt: [] as number[],
    updatedAt: [] as number[],
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
  r = {
    conversationId: [] as number[],
    customerId: [] as number[],
    value: [] as string[],
    comment: [] as string[],
    createdAt: [] as number[],
    updatedAt: [] as number[],
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
 * How a conversation's story ends after its last message, as the commands and the lifecycle sweep
 * write it (reminder after PENDING_CLOSE_DAYS − REMINDER_BEFORE_CLOSE_DAYS days of silence,
 * closing after PENDING_CLOSE_DAYS, the settings' defaults).
 */
const PATH = {
  /** new, open, pending: nothing after the last message. */
  none: 0,
  /** pending, and the customer was sent the reminder. */
  reminded: 1,
  /** closed by an agent some time after the customer's last message. */
  closedAfterCustomer: 2,
  /** closed by an agent with their last reply. */
  closedWithReply: 3,
  /** reminded, then closed by the sweep. */
  autoClosed: 4,
  /** reminded, and the customer answered "solved" (which closes it). */
  customerResolved: 5,
  /** reminded, the customer answered "not solved" (reopened), then an agent closed it. */
  customerNotResolved: 6,
} as const
const CLOSED_PATHS: [number, number][] = [
  [PATH.closedAfterCustomer, 0.4],
  [PATH.closedWithReply, 0.3],
  [PATH.autoClosed, 0.12],
  [PATH.customerResolved, 0.13],
  [PATH.customerNotResolved, 0.05],
]
const PENDING_CLOSE_DAYS = 30
const REMINDER_BEFORE_CLOSE_DAYS = 7
const REMINDER_AFTER = (PENDING_CLOSE_DAYS - REMINDER_BEFORE_CLOSE_DAYS) * DAY

/**
 * What is decided for every conversation up front: status, size, how it ends and times. Ids are
 * then given in creation order, as a real help desk numbers its conversations (recent ones have
 * high ids).
 */
interface Skeleton {
  status: Uint8Array
  size: Uint8Array
  path: Uint8Array
  /** The end of its story: the last message, reminder, answer or closing. */
  last: Float64Array
  /** From the last message to that end. */
  tail: Float64Array
  /** From the first message to the last. */
  span: Float64Array
  /** Indexes into the arrays above, oldest creation first. */
  order: Uint32Array
}

const STATUS_CODES: Status[] = ['new', 'open', 'pending', 'closed']

function planSkeleton(r: Random, opts: SeedOptions): Skeleton {
  const n = opts.conversations
  const sk: Skeleton = {
    status: new Uint8Array(n),
    size: new Uint8Array(n),
    path: new Uint8Array(n),
    last: new Float64Array(n),
    tail: new Float64Array(n),
    span: new Float64Array(n),
    order: new Uint32Array(n),
  }
  const nowMs = opts.now.getTime()
  const created = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const status = pickStatus(r)
    const [minAgo, maxAgo] = AGE[status]
    const size = messageCountFor(r, opts.messagesPer)
    let last = nowMs - Math.round(minAgo + r.next() * (maxAgo - minAgo))
    const span = Math.round((size > 1 ? r.next() * 4 * DAY : 0) + 2 * MINUTE)
    let path: number = PATH.none
    let tail = 0
    if (status === 'pending' && r.chance(0.15)) {
      // Silent for 23 to 30 days: the reminder went out, the closing has not come yet.
      path = PATH.reminded
      last = nowMs - Math.round(HOUR + r.next() * (REMINDER_BEFORE_CLOSE_DAYS * DAY - 2 * HOUR))
      tail = REMINDER_AFTER
    } else if (status === 'closed') {
      let x = r.next()
      path = CLOSED_PATHS[CLOSED_PATHS.length - 1]![0]
      for (const [p, w] of CLOSED_PATHS) {
        if ((x -= w) < 0) {
          path = p
          break
        }
      }
      if (path === PATH.closedAfterCustomer) tail = Math.round(5 * MINUTE + r.next() * DAY)
      else if (path === PATH.autoClosed) tail = PENDING_CLOSE_DAYS * DAY
      else if (path === PATH.customerResolved) tail = REMINDER_AFTER + Math.round(10 * MINUTE + r.next() * 2 * DAY)
      else if (path === PATH.customerNotResolved) tail = REMINDER_AFTER + Math.round(2 * HOUR + r.next() * 3 * DAY)
    }
    sk.status[i] = STATUS_CODES.indexOf(status)
    sk.size[i] = Math.min(255, size)
    sk.path[i] = path
    sk.last[i] = last
    sk.tail[i] = tail
    sk.span[i] = span
    created[i] = last - tail - span
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
  reminders: number
  /** Customers' answers to a reminder (solved / not solved). */
  answers: number
  ratings: number
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
    const path = sk.path[s]!
    const end = sk.last[s]!
    const tail = sk.tail[s]!
    const n = sk.size[s]!
    const span = sk.span[s]!
    /** The last message; the story may go on after it (reminder, answer, closing). */
    const last = end - tail
    const created = last - span
    const nowMs = opts.now.getTime()

    // Kinds: most conversations start with the customer (a few with an agent's message), then
    // alternate; pending waits for the customer (agent spoke last), new and open wait for an agent
    // (customer spoke last): where the alternation does not end that way, someone wrote twice in a
    // row. A few internal comments in between.
    const lastKind: Kind = status === 'pending' ? 'agent' : status === 'closed' ? (path === PATH.closedAfterCustomer ? 'customer' : 'agent') : 'customer'
    const kinds: Kind[] = []
    if (status === 'new') {
      for (let i = 0; i < n; i++) kinds.push('customer')
    } else {
      const firstKind: Kind = n === 1 ? lastKind : r.chance(0.05) ? 'agent' : 'customer'
      for (let i = 0; i < n; i++) kinds.push(i % 2 === 0 ? firstKind : firstKind === 'agent' ? 'customer' : 'agent')
      if (kinds[n - 1] !== lastKind) {
        const twice = r.int(1, n - 1)
        for (let i = twice; i < n; i++) kinds[i] = kinds[i] === 'agent' ? 'customer' : 'agent'
      }
    }
    for (let i = 1; i < n - 1; i++) if (r.chance(0.12)) kinds[i] = 'internal'
    // An agent starts some: a message sent to the customer, or a request taken by phone and recorded.
    const mode: 'send' | 'record' | null = kinds[0] === 'agent' ? 'send' : worker !== null && r.chance(0.05) ? 'record' : null
    const channel = mode ? 'agent' : r.chance(0.8) ? 'email' : 'portal'

    let lastCustomer: number | null = null
    let lastAgent: number | null = null
    let lastPublicText = ''
    let firstAgentAt: number | null = null
    let firstMessageId = 0
    const thread: { id: number; kind: Kind; at: number; emailMessageId: string | null }[] = []
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
      // A request recorded by an agent is the customer's message, written down by the agent.
      const recorded = i === 0 && mode === 'record'
      const emailMessageId = kind === 'internal' || (kind === 'customer' && channel !== 'email') ? null : `<s${messageId}.${opts.seed}@bench.suivi.test>`
      thread.push({ id: messageId, kind, at, emailMessageId })
      b.m.id.push(messageId)
      b.m.conversationId.push(id)
      b.m.kind.push(kind)
      b.m.authorAgentId.push(kind === 'customer' && !recorded ? null : (worker ?? null))
      b.m.customerId.push(kind === 'customer' ? customerId : null)
      b.m.bodyText.push(text)
      b.m.bodyHtml.push(textToHtml(text))
      b.m.emailMessageId.push(emailMessageId)
      b.m.createdAt.push(at)
    }
    counters.messages += n

    // The event log, as the commands and the sweep write it. Events are stored in time order.
    const event = (type: string, actorKind: 'agent' | 'customer' | 'system', actorAgentId: number | null, data: object, at: number) => {
      b.h.conversationId.push(id)
      b.h.actorKind.push(actorKind)
      b.h.actorAgentId.push(actorKind === 'agent' ? actorAgentId : null)
      b.h.type.push(type)
      b.h.data.push(JSON.stringify(data))
      b.h.createdAt.push(at)
      counters.events++
    }
    // The status as the lifecycle table moves it (src/domain/conversations/lifecycle.ts).
    let current = (mode === 'send' ? 'pending' : 'new') as Status
    const changeStatus = (to: Status, actorKind: 'agent' | 'customer' | 'system', actorAgentId: number | null, at: number) => {
      if (to === current) return
      event('status.changed', actorKind, actorAgentId, { from: current, to }, at)
      current = to
    }
    const first = thread[0]!
    if (mode) {
      const data = mode === 'send' ? { channel, mode, status: 'pending', emailMessageId: first.emailMessageId } : { channel, mode, status: 'new' }
      event('conversation.created', 'agent', worker, data, created)
    } else {
      event('conversation.created', 'customer', null, { channel }, created)
    }
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
      event('conversation.tagged', 'agent', worker, { tagId: tag.id, tag: tag.name }, at)
    }
    for (let i = 1; i < n; i++) {
      const m = thread[i]!
      const data = { messageId: m.id, messageCount: i + 1 }
      if (m.kind === 'customer') {
        event('message.received', 'customer', null, data, m.at)
        if (current === 'pending' || current === 'closed') changeStatus('open', 'customer', null, m.at)
      } else if (m.kind === 'agent') {
        event('reply.sent', 'agent', worker, data, m.at)
        // The last reply of some closed ones is sent with "close" chosen.
        changeStatus(i === n - 1 && path === PATH.closedWithReply ? 'closed' : 'pending', 'agent', worker, m.at)
      } else {
        event('comment.added', 'agent', worker, data, m.at)
      }
    }

    let pendingSince: number | null = current === 'pending' ? last : null
    let reminderSentAt: number | null = null
    let lastActivityAt = last
    let closedAt: number | null = null
    let closedByKind: string | null = null
    let closedById: number | null = null
    const remind = () => {
      reminderSentAt = last + REMINDER_AFTER
      event('reminder.sent', 'system', null, {}, reminderSentAt)
      counters.reminders++
    }
    if (status === 'open' && current !== 'open') {
      // Set open by hand (a request answered by phone, say).
      changeStatus('open', 'agent', worker, Math.min(last + MINUTE + Math.round(r.next() * 30 * MINUTE), nowMs - 1000))
      pendingSince = null
    } else if (path === PATH.reminded) {
      remind()
    } else if (status === 'closed') {
      if (path === PATH.closedAfterCustomer || path === PATH.closedWithReply) {
        changeStatus('closed', 'agent', worker, end)
      } else if (path === PATH.autoClosed) {
        remind()
        event('conversation.auto_closed', 'system', null, { afterDays: PENDING_CLOSE_DAYS }, end)
        changeStatus('closed', 'system', null, end)
      } else if (path === PATH.customerResolved) {
        remind()
        event('customer.resolved', 'customer', null, {}, end)
        changeStatus('closed', 'customer', null, end)
        lastActivityAt = end
        counters.answers++
      } else {
        remind()
        const answered = last + REMINDER_AFTER + Math.round((end - last - REMINDER_AFTER) / 2)
        event('customer.not_resolved', 'customer', null, {}, answered)
        changeStatus('open', 'customer', null, answered)
        lastActivityAt = answered
        changeStatus('closed', 'agent', worker, end)
        counters.answers++
      }
      reminderSentAt = null
      pendingSince = null
      closedAt = end
      const byKind = path === PATH.autoClosed ? 'system' : path === PATH.customerResolved ? 'customer' : 'agent'
      closedByKind = byKind
      closedById = byKind === 'agent' ? worker : null

      // Satisfaction: about 30 % of those that had a reply rate it after the close.
      if (firstAgentAt !== null && r.chance(0.3)) {
        const x = r.next()
        const value = x < 0.75 ? 'great' : x < 0.9 ? 'okay' : 'bad'
        let ratedAt = end + Math.round(10 * MINUTE + r.next() * 3 * DAY)
        if (ratedAt > nowMs - MINUTE) ratedAt = Math.round(end + (nowMs - end) / 2)
        const comment = r.chance(0.2) ? r.pick(RATING_COMMENTS[value]!) : ''
        event('rating.given', 'customer', null, { value, confirmed: true, previous: null }, ratedAt)
        let updatedAt = ratedAt
        if (comment) {
          updatedAt = Math.min(ratedAt + MINUTE + Math.round(r.next() * 4 * MINUTE), nowMs - 1000)
          event('rating.commented', 'customer', null, { comment }, updatedAt)
        }
        b.r.conversationId.push(id)
        b.r.customerId.push(customerId)
        b.r.value.push(value)
        b.r.comment.push(comment)
        b.r.createdAt.push(ratedAt)
        b.r.updatedAt.push(updatedAt)
        counters.ratings++
      }
    }
    if (current !== status) throw new Error(`seed: conversation ${id} planned ${status} but its events leave it ${current}`)
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
    b.c.lastActivityAt.push(lastActivityAt)
    b.c.lastCustomerMessageAt.push(lastCustomer)
    b.c.lastAgentReplyAt.push(lastAgent)
    b.c.pendingSince.push(pendingSince)
    b.c.reminderSentAt.push(reminderSentAt)
    b.c.closedAt.push(closedAt)
    b.c.closedByKind.push(closedByKind)
    b.c.closedById.push(closedById)
    b.c.createdAt.push(created)
    b.c.updatedAt.push(Math.max(end, lastActivityAt))
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
       "lastActivityAt", "lastCustomerMessageAt", "lastAgentReplyAt", "pendingSince", "reminderSentAt", "closedAt", "closedByKind", "closedById", "createdAt", "updatedAt")
     SELECT id, number, subject, status::"ConversationStatus", channel::"Channel", "folderId", "assigneeId", "customerId", snippet, "messageCount",
       ${ts('la')}, ${ts('lc')}, ${ts('lr')}, ${ts('ps')}, ${ts('rs')}, ${ts('ca')}, "closedByKind"::"ActorKind", "closedById", ${ts('cr')}, ${ts('up')}
     FROM unnest($1::int[], $2::int[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[], $8::int[], $9::text[], $10::int[],
       $11::float8[], $12::float8[], $13::float8[], $14::float8[], $15::float8[], $16::text[], $17::int[], $18::float8[], $19::float8[], $20::float8[])
       AS t(id, number, subject, status, channel, "folderId", "assigneeId", "customerId", snippet, "messageCount", la, lc, lr, ps, ca, "closedByKind", "closedById", cr, rs, up)`,
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
      c.reminderSentAt,
      c.updatedAt,
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
     JOIN conversations c ON c.id = t."conversationId" ORDER BY t.cr, t.n`,
    [h.conversationId, h.actorKind, h.actorAgentId, h.type, h.data, h.createdAt],
  )
  if (b.t.conversationId.length) {
    await client.query(
      `INSERT INTO conversation_tags ("conversationId", "tagId", "createdAt")
       SELECT "conversationId", "tagId", ${ts('cr')} FROM unnest($1::int[], $2::int[], $3::float8[]) AS t("conversationId", "tagId", cr)`,
      [b.t.conversationId, b.t.tagId, b.t.createdAt],
    )
  }
  const rt = b.r
  if (rt.conversationId.length) {
    await client.query(
      `INSERT INTO ratings ("conversationId", "customerId", value, comment, confirmed, "createdAt", "updatedAt")
       SELECT "conversationId", "customerId", value::"RatingValue", comment, true, ${ts('cr')}, ${ts('up')}
       FROM unnest($1::int[], $2::int[], $3::text[], $4::text[], $5::float8[], $6::float8[]) AS t("conversationId", "customerId", value, comment, cr, up)`,
      [rt.conversationId, rt.customerId, rt.value, rt.comment, rt.createdAt, rt.updatedAt],
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
export function progressBar(label: string, total: number) {
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

/** The report rollups' progress line (its total is known once the rebuild has counted). */
export function rollupProgress() {
  let bar: ((done: number) => void) | null = null
  return (done: number, total: number) => {
    if (total === 0) return
    bar ??= progressBar('report rollups', total)
    bar(done)
  }
}

export function formatSeconds(s: number) {
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

const BULK_TABLES = ['customers', 'customer_addresses', 'conversations', 'messages', 'events', 'conversation_tags', 'attachments', 'ratings']

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
    // Every folder asks for ratings; half of them count their times in business hours.
    const folderIds: number[] = []
    for (const [i, f] of FOLDERS.entries()) {
      const { rows } = await client.query(
        `INSERT INTO folders (name, position, "inboundAddress", "signatureHtml", "timeZone", "ratingsEnabled", "businessHours", "createdAt", "updatedAt")
         VALUES ($1, $2, $3, '', $4, true, $5::jsonb, now(), now())
         ON CONFLICT (name) DO UPDATE SET "timeZone" = EXCLUDED."timeZone", "ratingsEnabled" = true, "businessHours" = EXCLUDED."businessHours" RETURNING id`,
        [f.name, i, f.address, f.timeZone, i % 2 === 0 ? JSON.stringify(officeHours(opts.now)) : null],
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
      reminders: 0,
      answers: 0,
      ratings: 0,
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
    const seedSeconds = (performance.now() - started) / 1000
    let reportSeconds: number | null = null
    if (opts.reports) {
      // The report rollups, counted from the event log just written.
      const rebuildStarted = performance.now()
      await rebuildReports(db.pool, { onProgress: rollupProgress() })
      for (const table of ROLLUP_TABLES) await client.query(`VACUUM (ANALYZE) ${table}`)
      reportSeconds = (performance.now() - rebuildStarted) / 1000
    }
    // Once more, now that nothing of the seed is running: a first pass can find the visibility
    // horizon held back (by a statistics snapshot, say) and leave the pages not all-visible, and
    // then every count is planned as a walk of the table instead of an index-only scan.
    await timed('vacuum', async () => {
      for (const t of BULK_TABLES) await client.query(`VACUUM ${t}`)
    })
    const seconds = (performance.now() - started) / 1000
    const size = (await client.query(`SELECT pg_size_pretty(pg_database_size(current_database())) AS s`)).rows[0].s
    return { ...counters, customers: customerCount, seconds, seedSeconds, reportSeconds, size, rareWords: RARE_WORDS }
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
      'no-reports': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) {
    console.log(
      'npm run seed -- --conversations 100000 [--messages-per 3] [--append] [--seed 42] [--batch 2000] [--no-reports]   (DATABASE_URL selects the database)',
    )
    return 0
  }
  const opts: SeedOptions = {
    conversations: Number(values.conversations),
    messagesPer: Number(values['messages-per']),
    append: values.append,
    seed: Number(values.seed),
    batch: Number(values.batch),
    now: new Date(),
    reports: !values['no-reports'],
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
  const config = toolDatabaseConfig()
  if (!config) return 1
  const { databaseUrl } = config
  if (!databaseUrl && opts.conversations > EMBEDDED_LIMIT) {
    console.error(
      `DATABASE_URL is not set, so this would fill the embedded database (PGlite), which is single-threaded WebAssembly and not meant for ${opts.conversations.toLocaleString('en')} conversations.\n` +
        `Seeds above ${EMBEDDED_LIMIT.toLocaleString('en')} conversations need a PostgreSQL server, for example:\n` +
        `  createdb -h 127.0.0.1 -U postgres suivi_bench_100k\n` +
        `  DATABASE_URL=postgresql://postgres@127.0.0.1:5432/suivi_bench_100k npm run seed -- --conversations ${opts.conversations}`,
    )
    return 1
  }
  const db = await openToolDatabase('npm run seed', config)
  if (!db) return 1
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
    console.log(`reminders sent  ${res.reminders.toLocaleString('en')} (${res.answers.toLocaleString('en')} answered by the customer)`)
    console.log(`ratings         ${res.ratings.toLocaleString('en')}`)
    console.log(
      `search words    "${COMMON_WORD}" in ~30 % of messages; "${RARE_WORD}" and ${res.rareWords.length - 1} other rare words in ~10 conversations each`,
    )
    console.log(`sign in as      ${BENCH_ADMIN_EMAIL} / ${BENCH_AGENT_EMAIL}, password "${BENCH_PASSWORD}"`)
    console.log(`database size   ${res.size}`)
    console.log(
      res.reportSeconds === null
        ? `done in ${formatSeconds(res.seconds)} (report rollups not built: npm run reports:rebuild)`
        : `done in ${formatSeconds(res.seconds)} (data ${formatSeconds(res.seedSeconds)}, report rollups ${formatSeconds(res.reportSeconds)})`,
    )
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
