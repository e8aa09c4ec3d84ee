// Fills the help desk with demo data (agents, folders, tags, customers, ~40 conversations) so a
// newcomer has something to look at. Run with `npm run seed:demo`; it uses the same database as
// `npm start`. Refuses to touch a database that already has conversations.

import path from 'node:path'
import { ConfigError, loadConfig, type Config } from '../src/config.ts'
import { openDatabase, type Database, type Prisma, type Tx } from '../src/db/database.ts'
import { EmbeddedDatabaseBusyError } from '../src/db/embedded.ts'
import { hashPassword } from '../src/domain/agents/passwords.ts'
import { ensureDefaultFolder } from '../src/domain/folders/defaultFolder.ts'
import type { ActorKind, Channel, ConversationStatus, MessageKind } from '../src/generated/prisma/enums.ts'
import type { Prisma as PrismaNS } from '../src/generated/prisma/client.ts'
import { createLogger } from '../src/logger.ts'

export const DEMO_PASSWORD = 'demo password'
export const DEMO_ADMIN_EMAIL = 'admin@demo.test'

export interface SeedDemoOptions {
  /** The moment the demo is built around; every timestamp lies before it. */
  now?: Date
  /** Progress lines; console.log by default. */
  log?: (line: string) => void
}

export interface SeedDemoResult {
  /** Set when the demo created the administrator (no admin existed before). */
  admin: { email: string; password: string } | null
  agents: number
  folders: number
  tags: number
  customers: number
  conversations: number
  messages: number
  historyEvents: number
}

/** The database already holds conversations: demo data must not be mixed into real data. */
export class SeedRefusedError extends Error {}

// ---------------------------------------------------------------------------------------------
// Deterministic randomness: mulberry32, so every run produces the same help desk.

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
  const pick = <T>(items: readonly T[]): T => {
    if (!items.length) throw new Error('pick from an empty list')
    return items[Math.floor(next() * items.length)] as T
  }
  const chance = (p: number) => next() < p
  const shuffle = <T>(items: readonly T[]): T[] => {
    const out = [...items]
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1))
      ;[out[i], out[j]] = [out[j] as T, out[i] as T]
    }
    return out
  }
  const between = (minMs: number, maxMs: number) => Math.round(minMs + next() * (maxMs - minMs))
  return { next, int, pick, chance, shuffle, between }
}
type Random = ReturnType<typeof createRandom>

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

// ---------------------------------------------------------------------------------------------
// The cast.

type FolderKey = 'general' | 'billing' | 'technical'
type AgentKey = 'alice' | 'bruno' | 'chloe'

const DEMO_AGENTS: { key: AgentKey; name: string; email: string; folders: FolderKey[] }[] = [
  { key: 'alice', name: 'Alice Martin', email: 'alice@demo.test', folders: ['general', 'billing'] },
  { key: 'bruno', name: 'Bruno Silva', email: 'bruno@demo.test', folders: ['technical'] },
  { key: 'chloe', name: 'Chloé Dubois', email: 'chloe@demo.test', folders: ['general', 'billing', 'technical'] },
]

const DEMO_FOLDERS: { key: Exclude<FolderKey, 'general'>; name: string; inboundAddress: string }[] = [
  { key: 'billing', name: 'Billing', inboundAddress: 'billing@demo.test' },
  { key: 'technical', name: 'Technical', inboundAddress: 'tech@demo.test' },
]

/** Palette names the stylesheet knows: slate red orange amber green teal blue indigo purple pink. */
const DEMO_TAGS: { name: string; colour: string }[] = [
  { name: 'refund', colour: 'red' },
  { name: 'bug', colour: 'orange' },
  { name: 'vip', colour: 'purple' },
  { name: 'feature request', colour: 'teal' },
  { name: 'urgent', colour: 'red' },
  { name: 'invoice', colour: 'amber' },
  { name: 'login', colour: 'blue' },
  { name: 'integration', colour: 'indigo' },
]

const DEMO_CUSTOMERS: { name: string; email: string; vip?: boolean }[] = [
  { name: 'Maria Garcia', email: 'maria.garcia@example.com' },
  { name: 'James Wilson', email: 'james.wilson@example.org' },
  { name: 'Priya Natarajan', email: 'priya.natarajan@example.com' },
  { name: 'Tom Becker', email: 'tom.becker@example.org' },
  { name: 'Sofia Rossi', email: 'sofia.rossi@example.com' },
  { name: 'Kenji Tanaka', email: 'kenji.tanaka@example.org' },
  { name: 'Amélie Laurent', email: 'amelie.laurent@example.com' },
  { name: "Daniel O'Connor", email: 'daniel.oconnor@example.org' },
  { name: 'Fatima Haddad', email: 'fatima.haddad@example.com' },
  { name: 'Lukas Novak', email: 'lukas.novak@example.org' },
  { name: 'Grace Okafor', email: 'grace.okafor@example.com', vip: true },
  { name: 'Henrik Larsen', email: 'henrik.larsen@example.org', vip: true },
  { name: 'Isabel Moreno', email: 'isabel.moreno@example.com' },
  { name: 'Noah Fischer', email: 'noah.fischer@example.org' },
  { name: 'Olivia Chen', email: 'olivia.chen@example.com' },
]

// ---------------------------------------------------------------------------------------------
// What the conversations are about. Inbound scenarios start with the customer (c[0]); outbound
// ones start with the agent (a[0]) and the customer answers. c[1] and a[1] continue the thread.

interface Scenario {
  subject: string
  folder: FolderKey
  tags: string[]
  outbound?: boolean
  c: [string, string]
  a: [string, string]
}

const SCENARIOS: Scenario[] = [
  // General
  {
    subject: "Can't find the export button",
    folder: 'general',
    tags: [],
    c: [
      "I'm trying to export our contact list to CSV but I can't find the export option anywhere. The help article mentions a button under Settings, but I don't see it there. Has it moved?",
      'Found it, thanks! One more question: does the export include archived contacts?',
    ],
    a: [
      'The export moved to the Contacts page itself in last month\'s update: open Contacts, then use "Export" in the menu at the top right. Only owners and admins see it, so if it is missing, your role may be set to Member.',
      'By default it doesn\'t, but if you tick "Include archived" in the export dialog they are added with an "archived" column, so you can filter them out later.',
    ],
  },
  {
    subject: 'Transferring the account to a new owner',
    folder: 'general',
    tags: [],
    c: [
      'Our office manager, who set up the account, is leaving at the end of the month. How do we transfer ownership to me?',
      'She tried the transfer this morning but it says my invitation is still pending.',
    ],
    a: [
      'The current owner can do it under Settings > Team > Transfer ownership. If she is no longer available, we can do it for you once we have verified the request: please reply from the owner\'s address or send us a short signed note.',
      'Your invitation had expired, so I have sent you a fresh one. Once you accept it, the transfer will go through straight away.',
    ],
  },
  {
    subject: 'How long do you keep our data after we cancel?',
    folder: 'general',
    tags: [],
    c: [
      'We are reviewing our suppliers for GDPR compliance. If we cancel, how long is our data kept, and does that include backups?',
      'Thanks. Could you confirm that in writing for our compliance file?',
    ],
    a: [
      'We keep your data for 30 days after cancellation so you can reactivate, then delete it permanently. Backups roll over within a further 35 days, after which nothing remains.',
      'Of course: this reply is our written confirmation, and the full policy is published on our legal page. I have also noted on your account that you want an e-mail once the deletion is complete.',
    ],
  },
  {
    subject: 'Feature request: dark mode',
    folder: 'general',
    tags: ['feature request'],
    c: [
      'Our support team works late shifts and would love a dark theme. The bright white screen is tiring after 10 pm. Is this planned?',
      'Great to hear. Is there a rough timeline?',
    ],
    a: [
      'Thanks for the suggestion! Dark mode is on our roadmap, and I have added your vote and your use case to the request.',
      'No firm date yet, but it is planned for the second half of the year. I will update this conversation when it ships.',
    ],
  },
  {
    subject: 'Adding more people to our workspace',
    folder: 'general',
    tags: [],
    c: [
      'We are growing and need to add five more people. Is there a discount for larger teams, and can I invite them all at once?',
      'Does the discount apply right away or only from the next renewal?',
    ],
    a: [
      'From 10 seats upward the per-seat price drops by 15%, applied automatically. You can invite several people at once from Settings > Team > Invite by pasting a list of addresses, one per line.',
      'It applies immediately: the new seats are prorated at the discounted rate for the rest of this period, and your next renewal uses the new price for every seat.',
    ],
  },
  {
    subject: 'Feature request: recurring tasks',
    folder: 'general',
    tags: ['feature request'],
    c: [
      'It would save us a lot of time if tasks could repeat weekly or monthly. Right now we copy the same checklist every Monday.',
      'The template trick helps, thanks. Would recurring tasks also support "last working day of the month"?',
    ],
    a: [
      'That is a great use case. Recurring tasks are not available yet, but you can save your checklist as a template and create it in one click each week. I have logged your request with the product team.',
      'I have added that detail to the request; the product team is collecting exactly these scheduling rules before they design the feature.',
    ],
  },
  {
    subject: 'Board not announced by screen reader',
    folder: 'general',
    tags: ['bug'],
    c: [
      'One of our team members uses NVDA and finds the project board hard to navigate: cards are not announced when they are moved.',
      'Thank you. Is there a workaround in the meantime?',
    ],
    a: [
      'Thank you for reporting this; accessibility matters a lot to us. I reproduced it with NVDA and Firefox and passed it to our front-end team with high priority.',
      'Yes: the list view announces every change correctly, and cards can be moved there with the "Move to" action (shortcut M). I will let you know as soon as the board is fixed.',
    ],
  },
  {
    subject: 'Product demo for our leadership team',
    folder: 'general',
    tags: [],
    c: [
      'Our leadership team meets next Thursday and I would like to show them what the Business plan adds. Could someone walk us through it?',
      'Wednesday at 14:00 works. Please send the invitation to me and I will forward it internally.',
    ],
    a: [
      'Happy to help! I can offer Wednesday at 14:00 or Thursday at 10:00 (CET) for a 30-minute call. Which suits you better?',
      'Done: you should have a calendar invitation for Wednesday at 14:00 CET with the video link. Looking forward to it!',
    ],
  },
  // Billing
  {
    subject: 'Charged twice this month',
    folder: 'billing',
    tags: ['refund', 'urgent'],
    c: [
      'I was charged twice for my subscription this month: two payments of €49 on the 3rd. Can you refund one of them?',
      'Thanks. Will this happen again next month?',
    ],
    a: [
      'I am sorry about that. I can see both payments: the second came from an automatic retry after your bank briefly declined the first. I have refunded the duplicate €49; it should be back on your card within 5 to 10 business days.',
      'It should not: we have fixed the retry for your card type. I have also added a note to your account so we check the next renewal by hand.',
    ],
  },
  {
    subject: 'Invoice needs our VAT number',
    folder: 'billing',
    tags: ['invoice'],
    c: [
      'Our accounting department needs our VAT number on the March invoice. Can you reissue it with VAT ID DE123456789?',
      'Great. Could you do the same for January and February?',
    ],
    a: [
      'I have added the VAT ID to your billing profile and reissued the March invoice; you can download it from Billing > Invoices. Future invoices will include it automatically.',
      'Done: all three invoices for this year now show your VAT ID. The originals are marked as replaced.',
    ],
  },
  {
    subject: 'Refund for the annual plan',
    folder: 'billing',
    tags: ['refund'],
    c: [
      'We upgraded to the annual plan two weeks ago, but the project it was for has been cancelled. Is a refund possible?',
      'Switching back to monthly would be perfect.',
    ],
    a: [
      'Annual plans can be refunded within 30 days, so you are well within the window. Would you prefer a full refund and cancellation, or a switch back to monthly billing with the difference refunded?',
      'All set: you are on the monthly plan again, and €412 (the annual price minus this month) has been refunded to your card.',
    ],
  },
  {
    subject: 'Updating our credit card',
    folder: 'billing',
    tags: [],
    c: [
      'Our company card expires next week. Where do I enter the new one? I do not see a payment section anywhere.',
      'Tom is on holiday until the 20th. Can you make me the billing contact instead?',
    ],
    a: [
      'Only the billing contact can change payment details; in your workspace that is currently Tom. He will find it under Billing > Payment method, or he can make you the billing contact from the same page.',
      'For security we cannot change the billing contact on request, but any workspace owner can. Sofia is also an owner, so she can do it in a few clicks under Billing > Contacts.',
    ],
  },
  {
    subject: 'Do you offer a non-profit discount?',
    folder: 'billing',
    tags: [],
    c: [
      'We are a registered charity supporting refugees with language classes. Do you offer a discount for non-profits?',
      'Our registration number is 1187654 (Charity Commission for England and Wales).',
    ],
    a: [
      'We do: registered non-profits get 50% off any plan. Please reply with your charity registration number and I will apply it to your account.',
      'Thank you! I have verified it and applied the 50% discount; you will see it on your next invoice.',
    ],
  },
  {
    subject: 'Why did our bill go up?',
    folder: 'billing',
    tags: ['invoice'],
    c: [
      'This month\'s invoice is €180 instead of the usual €120. Nothing changed on our side, as far as I know.',
      'Ah, those are interns who only need to read. Are guests free?',
    ],
    a: [
      'I had a look: three new members joined your workspace on the 12th, and each added seat is billed prorated. You can see who joined under Settings > Team.',
      'Yes, guests are free and can view and comment. I have converted the three interns to guests and credited the difference for this month.',
    ],
  },
  {
    subject: 'Please cancel our subscription',
    folder: 'billing',
    tags: [],
    c: [
      'Please cancel our subscription at the end of the current period. We are consolidating tools across the company.',
      'We are moving to the tool our parent company uses; nothing wrong with yours.',
    ],
    a: [
      'Sorry to see you go. I have scheduled the cancellation for the end of your current period on the 30th, and you keep full access until then. May I ask which tool you are moving to? It helps us improve.',
      'Thanks for letting us know, and thank you for being a customer. Your data stays available for 30 days after the cancellation if you ever need an export.',
    ],
  },
  {
    subject: 'Payment failed but the card works',
    folder: 'billing',
    tags: ['urgent'],
    c: [
      'We got an e-mail saying our payment failed, but the card works everywhere else. Our account now shows a red banner.',
      'Done, but the banner is still there.',
    ],
    a: [
      'Your bank asked for a 3-D Secure confirmation that could not be completed automatically. If you open Billing > Payment method and click "Retry payment", you will be asked to confirm it in your banking app.',
      'The payment went through on our side. The banner clears within a few minutes, or straight away if you reload the page.',
    ],
  },
  // Technical
  {
    subject: 'Login loop after password reset',
    folder: 'technical',
    tags: ['login', 'bug'],
    c: [
      'After resetting my password I am stuck in a loop: I log in, the page reloads and I am back on the login screen. Same in Chrome and Firefox.',
      'A private window works. Clearing cookies in Chrome did not help though.',
    ],
    a: [
      'Thanks for the details. This usually comes from an old session cookie. Could you try a private window, or clear the cookies for our site, and tell me whether that helps?',
      'That points to a browser extension blocking our cookie. Could you disable privacy extensions for our domain? We are also changing how the session cookie is set so this cannot happen again.',
    ],
  },
  {
    subject: 'API returns 429 Too Many Requests',
    folder: 'technical',
    tags: ['integration'],
    c: [
      'Our nightly sync has been failing with HTTP 429 from the API since yesterday. We make about 2,000 requests in 10 minutes.',
      'We switched to the batch endpoint and it is much faster now. Is there a limit on the batch size?',
    ],
    a: [
      'Your plan allows 120 requests per minute, and the sync now goes over that. Each 429 response has a Retry-After header; if your client waits that long before retrying, the sync will finish. The batch endpoint can also cut the number of requests a lot.',
      'Up to 100 items per batch request. Anything larger is answered with a 413 and a message stating the limit.',
    ],
  },
  {
    subject: 'Webhook deliveries failing with SSL errors',
    folder: 'technical',
    tags: ['integration', 'bug'],
    c: [
      'Our webhook endpoint stopped receiving events on Monday. The dashboard shows "SSL handshake failed" for every delivery.',
      'Our ops team fixed the certificate chain. Can you resend the failed events?',
    ],
    a: [
      'Your endpoint\'s certificate chain is incomplete: the intermediate certificate is missing, which browsers tolerate but our delivery service does not. Adding the intermediate certificate on your server should fix it.',
      'I have replayed all 342 failed deliveries since Monday, and they all went through with 200 responses. Let me know if anything looks off.',
    ],
  },
  {
    subject: 'Two-factor codes not accepted',
    folder: 'technical',
    tags: ['login', 'urgent'],
    c: [
      'I got a new phone and my authenticator codes are rejected. I cannot log in at all.',
      'Nobody else is an owner, and I cannot find the recovery codes.',
    ],
    a: [
      'For your security I cannot turn off two-factor authentication by e-mail alone. Please use one of your recovery codes, or ask a workspace owner to reset it for you under Settings > Team.',
      'In that case we will verify your identity another way: I have sent a verification link to your billing address. Once you confirm it, we will reset two-factor authentication within one business day.',
    ],
  },
  {
    subject: 'PDF export cuts off wide tables',
    folder: 'technical',
    tags: ['bug'],
    c: [
      'When I export a report to PDF, wide tables are cut off at the right edge. Landscape orientation does not help.',
      'Fit to page width works, but the text is tiny. Any chance the fix comes soon?',
    ],
    a: [
      'I could reproduce this with tables of more than 12 columns, and our developers are on it. Until then, "Fit to page width" in the export options shrinks the table so that it fits.',
      'The fix, which wraps wide tables across pages, is scheduled for next week\'s release. I will post here when it is live.',
    ],
  },
  {
    subject: 'Slack notifications stopped',
    folder: 'technical',
    tags: ['integration'],
    c: [
      'Our Slack channel has not received any notifications since Friday. Nothing changed in our setup as far as I know.',
      'Reconnected with our admin account and messages are flowing again. Will we miss the ones from the weekend?',
    ],
    a: [
      'Slack revoked the token when the person who installed the integration left your Slack workspace. Reconnecting it from Settings > Integrations > Slack, ideally with a shared admin account, brings the notifications back.',
      'Those were not delivered, unfortunately, but you can find all of them in the activity feed. I have passed on your feedback that a warning before the disconnect would help.',
    ],
  },
  {
    subject: 'CSV import fails with "invalid date"',
    folder: 'technical',
    tags: ['bug'],
    c: [
      'I am importing 3,000 rows and get "invalid date in row 17". Row 17 looks like every other row: 03/04/2024.',
      'That worked for the dates, but now accented names look garbled, for example "JosÃ©" instead of "José".',
    ],
    a: [
      'The importer guessed the month/day order from the first rows, which were ambiguous. Choose "Day/Month/Year" as the date format on the mapping screen and row 17 will import.',
      'That is an encoding issue: the file was re-saved by a spreadsheet program in another encoding. Picking "UTF-8" explicitly in the import options fixes it.',
    ],
  },
  {
    subject: 'Android app crashes on startup',
    folder: 'technical',
    tags: ['bug', 'urgent'],
    c: [
      'Since the latest update the Android app crashes immediately on my Pixel 7. Reinstalling did not help.',
      'I updated and it opens now, but notifications no longer show up.',
    ],
    a: [
      'Thank you for reporting this. We found a crash on Android 14 devices with a particular font setting; a fixed version (4.12.1) is rolling out on the Play Store today.',
      'Android sometimes turns notifications off after a reinstall: please check Settings > Apps > Notifications for our app. If they are on and still silent, send me the diagnostics ID from Profile > About.',
    ],
  },
  // Started by an agent
  {
    subject: 'Your trial ends on Friday',
    folder: 'general',
    tags: [],
    outbound: true,
    a: [
      'I noticed your team has been using the trial a lot, so I wanted to check in before it ends on Friday. Is there anything I can help with, or any questions about the plans?',
      'Here is the quote: 25 seats on the Business plan at €14 per seat per month, billed annually (€4,200 per year, excluding VAT). I have extended your trial by two weeks while procurement reviews it.',
    ],
    c: [
      'Thanks for reaching out! We would like to continue, but our procurement team needs a quote for 25 seats first.',
      'Thank you, I have forwarded it.',
    ],
  },
  {
    subject: 'Follow-up on our call: single sign-on',
    folder: 'technical',
    tags: ['integration'],
    outbound: true,
    a: [
      'As discussed on the phone, here are the steps to connect your identity provider: create a SAML application there, paste our metadata URL, then send us the provider\'s metadata URL. Let me know once you have it.',
      'Single sign-on is configured on our side. You can test it with any account by choosing "Sign in with SSO" on the login page; password logins keep working until you enforce SSO.',
    ],
    c: [
      'Here is the metadata URL from our provider: https://idp.example.org/metadata. Let us know when we can test.',
      'Works for the three of us who tried. Thanks!',
    ],
  },
  {
    subject: 'Planned maintenance on your dedicated instance',
    folder: 'technical',
    tags: [],
    outbound: true,
    a: [
      'We will upgrade the database server of your dedicated instance on Sunday between 02:00 and 04:00 UTC, with up to 15 minutes of downtime. Does that window work for you?',
      'Noted: we will finish the upgrade before 03:00 UTC, and I will confirm here once it is done.',
    ],
    c: [
      'Sunday works, but please avoid 03:00 to 03:30: that is when our weekly backup runs.',
      'Perfect, thanks.',
    ],
  },
]

const NUDGES = [
  'Just following up on my message below: is anyone looking at this?',
  'Sorry, I forgot to mention that this is quite urgent for us: we have a client presentation tomorrow.',
  'Any news on this? It is still happening today.',
]
const THANKS = [
  'That worked, thank you so much!',
  'Perfect, all sorted now. Thanks for the quick help.',
  'Great, thanks. You can close this.',
  'Brilliant, thank you for sorting this out so quickly.',
]
const STILL_BROKEN = [
  'I tried that, but I am still seeing the same thing. Is there anything else I can try?',
  'Thanks, but it only worked once; this morning it is back to the old behaviour.',
  'Understood. Before we go ahead, could you tell me whether this affects the rest of my team too?',
]
const NOTES = [
  'Customer is on the annual Business plan; renewal is next month, so let us take good care of this one.',
  'Checked the logs: nothing unusual on our side. Waiting for more details from the customer.',
  'Third time this question came up this week. Worth a help center article?',
  '{other}, could you have a look? You handled something very similar last month.',
  'Long-standing customer, always friendly. Please keep them in the loop.',
  'Reproduced on staging and linked to the existing engineering ticket.',
]
const CUSTOMER_GREETINGS = ['Hello,', 'Hi there,', 'Hi,', 'Good morning,', 'Dear support team,']
const CUSTOMER_SIGNOFFS = ['Thanks', 'Best', 'Kind regards', 'Cheers', 'Many thanks']
const AGENT_SIGNOFFS = ['Best regards', 'Kind regards', 'Best', 'All the best']

// A thread is a sequence of tokens: C0/C1 the scenario's customer lines, A0/A1 its agent lines,
// N an internal comment, Cn a nudge, Ct a thank-you, Cs a "still broken".
type Token = 'C0' | 'C1' | 'A0' | 'A1' | 'N' | 'Cn' | 'Ct' | 'Cs'

const INBOUND_THREADS: Record<ConversationStatus, string[]> = {
  new: ['C0', 'C0 Cn', 'C0 N'],
  open: ['C0 A0 C1', 'C0 N A0 C1', 'C0 A0 C1 A1 Cs', 'C0 N', 'C0 A0 C1 N'],
  pending: ['C0 A0', 'C0 N A0', 'C0 A0 C1 A1', 'C0 A0 C1 N A1'],
  closed: ['C0 A0', 'C0 A0 Ct', 'C0 A0 C1 A1', 'C0 A0 C1 A1 Ct', 'C0 N A0 C1 A1'],
}
const OUTBOUND_THREADS: Record<ConversationStatus, string[]> = {
  new: [],
  open: ['A0 C0', 'A0 C0 N'],
  pending: ['A0', 'A0 C0 A1'],
  closed: ['A0 C0 A1', 'A0 C0 A1 C1'],
}

/** How long ago each status's last activity may be: new ones are fresh, closed ones span 40 days. */
const LAST_ACTIVITY_AGO: Record<ConversationStatus, [number, number]> = {
  new: [10 * MINUTE, 2 * DAY],
  open: [30 * MINUTE, 10 * DAY],
  pending: [1 * HOUR, 4 * DAY],
  closed: [1 * DAY, 40 * DAY],
}

const STATUS_MIX: ConversationStatus[] = [
  ...Array<ConversationStatus>(8).fill('new'),
  ...Array<ConversationStatus>(12).fill('open'),
  ...Array<ConversationStatus>(8).fill('pending'),
  ...Array<ConversationStatus>(12).fill('closed'),
]
export const DEMO_CONVERSATION_COUNT = STATUS_MIX.length

// ---------------------------------------------------------------------------------------------
// Text helpers.

const firstName = (name: string) => name.split(' ')[0] ?? name

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c)
}

/** Blank lines separate paragraphs; a single newline becomes a line break. */
export function textToHtml(text: string): string {
  return text
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('')
}

export function snippetOf(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 140)
}

// ---------------------------------------------------------------------------------------------
// The plan: everything decided up front (pure and deterministic), then written in one go.

interface PlannedMessage {
  kind: MessageKind
  agent?: AgentKey
  text: string
  at: number
}
interface PlannedEvent {
  type: string
  actorKind: ActorKind
  agent?: AgentKey
  data: Record<string, string | number>
  at: number
}
interface PlannedConversation {
  subject: string
  status: ConversationStatus
  channel: Channel
  folder: FolderKey
  customer: number
  assignee?: AgentKey
  tags: { name: string; at: number }[]
  messages: PlannedMessage[]
  events: PlannedEvent[]
  closed?: { kind: ActorKind; agent?: AgentKey; at: number }
  pendingSince?: number
}

function planConversations(random: Random): PlannedConversation[] {
  // Every scenario once, then a second helping for the rest, with a different customer.
  const order = [...random.shuffle(SCENARIOS), ...random.shuffle(SCENARIOS)].slice(0, STATUS_MIX.length)
  const statuses = random.shuffle(STATUS_MIX)
  // Outbound conversations were started by an agent, so they are never "new": swap with another.
  for (let i = 0; i < order.length; i++) {
    if (!order[i]?.outbound || statuses[i] !== 'new') continue
    const j = statuses.findIndex((s, k) => s !== 'new' && !order[k]?.outbound)
    ;[statuses[i], statuses[j]] = [statuses[j] as ConversationStatus, statuses[i] as ConversationStatus]
  }
  const customers = random.shuffle(DEMO_CUSTOMERS.map((_, i) => i))
  return order.map((scenario, i) => {
    const status = statuses[i] as ConversationStatus
    const customer = i < customers.length ? (customers[i] as number) : random.int(0, DEMO_CUSTOMERS.length - 1)
    return planConversation(random, scenario, status, customer)
  })
}

function planConversation(random: Random, scenario: Scenario, status: ConversationStatus, customerIndex: number): PlannedConversation {
  const customer = DEMO_CUSTOMERS[customerIndex]!
  const members = DEMO_AGENTS.filter((a) => a.folders.includes(scenario.folder)).map((a) => a.key)
  const outbound = scenario.outbound === true
  const channel: Channel = outbound ? 'agent' : random.chance(0.7) ? 'email' : 'portal'
  const assignee: AgentKey | undefined = outbound || random.chance(status === 'new' ? 0.25 : 0.8) ? random.pick(members) : undefined
  const replier = assignee ?? random.pick(members)
  const commenter = random.pick(members.length > 1 ? members.filter((m) => m !== replier) : members)
  const agentName = (key: AgentKey) => DEMO_AGENTS.find((a) => a.key === key)!.name
  const tokens = random.pick((outbound ? OUTBOUND_THREADS : INBOUND_THREADS)[status]).split(' ') as Token[]

  const tagNames = [...scenario.tags]
  if (customer.vip) tagNames.push('vip')
  if (status !== 'closed' && !tagNames.includes('urgent') && random.chance(0.12)) tagNames.push('urgent')
  // Some conversations stay untagged even when the scenario suggests tags.
  const tagged = tagNames.length > 0 && (customer.vip || random.chance(0.75))

  const customerText = (token: Token, previousAgent: boolean): string => {
    const body =
      token === 'C0' ? scenario.c[0] : token === 'C1' ? scenario.c[1] : token === 'Cn' ? random.pick(NUDGES) : token === 'Ct' ? random.pick(THANKS) : random.pick(STILL_BROKEN)
    const greeting = previousAgent && random.chance(0.6) ? `Hi ${firstName(agentName(replier))},` : random.pick(CUSTOMER_GREETINGS)
    if (token === 'Ct' || token === 'Cn') return `${body}\n\n${firstName(customer.name)}`
    return `${greeting}\n\n${body}\n\n${random.pick(CUSTOMER_SIGNOFFS)},\n${firstName(customer.name)}`
  }
  const agentText = (token: Token): string =>
    `Hi ${firstName(customer.name)},\n\n${token === 'A0' ? scenario.a[0] : scenario.a[1]}\n\n${random.pick(AGENT_SIGNOFFS)},\n${firstName(agentName(replier))}`
  const noteText = () => random.pick(NOTES).replace('{other}', firstName(agentName(random.pick(DEMO_AGENTS.filter((a) => a.key !== commenter)).key)))

  // Times are offsets from the first message; they are moved into place at the end.
  let t = 0
  let current = 'new' as ConversationStatus
  const messages: PlannedMessage[] = []
  const events: PlannedEvent[] = []
  const tags: { name: string; at: number }[] = []
  let pendingSince: number | undefined
  let closed: PlannedConversation['closed']
  const changeStatus = (to: ConversationStatus, actorKind: ActorKind, at: number, agent?: AgentKey) => {
    if (to === current) return
    events.push({ type: 'status_changed', actorKind, agent, data: { from: current, to }, at })
    current = to
    pendingSince = to === 'pending' ? at : undefined
    if (to === 'closed') closed = { kind: actorKind, agent, at }
  }
  const triage = () => {
    // The first agent to look at it takes it (or Chloé, who leads the team, hands it out) and tags it.
    const by: AgentKey = assignee ?? (random.chance(0.5) ? 'chloe' : replier)
    if (assignee) {
      t += random.between(2 * MINUTE, 40 * MINUTE)
      const actor: AgentKey = random.chance(0.7) || outbound ? assignee : 'chloe'
      events.push({ type: 'assigned', actorKind: 'agent', agent: actor, data: { assigneeId: assignee }, at: t })
    }
    if (tagged) {
      t += random.between(1 * MINUTE, 20 * MINUTE)
      for (const name of tagNames) {
        t += 1000
        tags.push({ name, at: t })
        events.push({ type: 'tagged', actorKind: 'agent', agent: by, data: { tag: name }, at: t })
      }
    }
  }

  const closeBySystem = status === 'closed' && tokens.at(-1)?.startsWith('A') === true && random.chance(0.35)
  tokens.forEach((token, index) => {
    const last = index === tokens.length - 1
    const previous = index > 0 ? tokens[index - 1] : undefined
    if (index > 0) {
      t +=
        token === 'N'
          ? random.between(5 * MINUTE, 2 * HOUR)
          : token.startsWith('A')
            ? random.between(15 * MINUTE, 5 * HOUR)
            : token === 'Cn'
              ? random.between(3 * HOUR, 20 * HOUR)
              : token === 'Ct'
                ? random.between(20 * MINUTE, 6 * HOUR)
                : random.between(40 * MINUTE, 28 * HOUR)
    }
    const at = t
    if (token === 'N') {
      messages.push({ kind: 'internal', agent: commenter, text: noteText(), at })
      events.push({ type: 'commented', actorKind: 'agent', agent: commenter, data: {}, at })
    } else if (token.startsWith('A')) {
      messages.push({ kind: 'agent', agent: replier, text: agentText(token), at })
      events.push({ type: index === 0 ? 'created' : 'replied', actorKind: 'agent', agent: replier, data: index === 0 ? { channel } : {}, at })
      if (last && status === 'closed' && !closeBySystem) changeStatus('closed', 'agent', at + 1000, replier)
      else changeStatus('pending', 'agent', at, replier)
    } else {
      messages.push({ kind: 'customer', text: customerText(token, previous?.startsWith('A') === true), at })
      events.push({ type: index === 0 ? 'created' : 'replied', actorKind: 'customer', data: index === 0 ? { channel } : {}, at })
      // A customer's answer puts a waiting or closed conversation back in the agents' court.
      if (current === 'pending' || current === 'closed') changeStatus('open', 'system', at)
    }
    if (index === 0) {
      if (outbound) t += 2000
      triage()
    }
  })

  t = Math.max(t, ...events.map((e) => e.at))
  if (status === 'closed' && current !== 'closed') {
    if (closeBySystem) {
      // The lifecycle sweep closes a pending conversation after a week without an answer.
      t += 7 * DAY
      changeStatus('closed', 'system', t)
    } else {
      t += random.between(10 * MINUTE, 3 * HOUR)
      changeStatus('closed', 'agent', t, replier)
    }
  }
  if (status === 'open' && current === 'new') {
    t += random.between(1 * MINUTE, 10 * MINUTE)
    changeStatus('open', 'agent', t, commenter)
  }
  if (current !== status) throw new Error(`demo plan for "${scenario.subject}" ended ${current}, expected ${status}`)

  return {
    subject: scenario.subject,
    status,
    channel,
    folder: scenario.folder,
    customer: customerIndex,
    assignee,
    tags,
    messages,
    events,
    closed,
    pendingSince,
  }
}

// ---------------------------------------------------------------------------------------------

/** Fills the database with a demo help desk. Throws SeedRefusedError when conversations exist. */
export async function seedDemo(prisma: Prisma, options: SeedDemoOptions = {}): Promise<SeedDemoResult> {
  const now = options.now ?? new Date()
  const log = options.log ?? ((line: string) => console.log(line))
  const refusal = () =>
    new SeedRefusedError('This database already has conversations; the demo data is only added to an empty help desk, never mixed into real data.')

  if ((await prisma.conversation.count()) > 0) throw refusal()

  const random = createRandom(20240517)
  const plan = planConversations(random)
  const nowMs = now.getTime()
  // Move each conversation so that its last activity falls in its status's window.
  for (const c of plan) {
    const [minAgo, maxAgo] = LAST_ACTIVITY_AGO[c.status]
    const end = nowMs - random.between(minAgo, maxAgo)
    const last = Math.max(...c.events.map((e) => e.at), ...c.messages.map((m) => m.at))
    const shift = end - last
    for (const m of c.messages) m.at += shift
    for (const e of c.events) e.at += shift
    for (const tag of c.tags) tag.at += shift
    if (c.closed) c.closed.at += shift
    if (c.pendingSince !== undefined) c.pendingSince += shift
  }
  const setupTime = new Date(Math.min(...plan.flatMap((c) => c.messages.map((m) => m.at))) - 5 * DAY)

  const hashes = new Map<string, string>()
  for (const email of [DEMO_ADMIN_EMAIL, ...DEMO_AGENTS.map((a) => a.email)]) hashes.set(email, await hashPassword(DEMO_PASSWORD))
  log('passwords… done')

  const result = await prisma.$transaction(
    async (tx) => {
      // Checked again under a lock, so two runs at once cannot both pass.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('suivi:seed-demo'))`
      if ((await tx.conversation.count()) > 0) throw refusal()

      // Administrator
      let adminCreated: SeedDemoResult['admin'] = null
      let admin = await tx.agent.findFirst({ where: { role: 'admin', active: true }, orderBy: { id: 'asc' } })
      if (!admin) {
        const existing = await tx.agent.findUnique({ where: { email: DEMO_ADMIN_EMAIL } })
        admin = existing
          ? await tx.agent.update({ where: { id: existing.id }, data: { role: 'admin', active: true, deactivatedAt: null, passwordHash: hashes.get(DEMO_ADMIN_EMAIL)! } })
          : await tx.agent.create({
              data: { name: 'Demo Admin', email: DEMO_ADMIN_EMAIL, passwordHash: hashes.get(DEMO_ADMIN_EMAIL)!, role: 'admin', createdAt: setupTime },
            })
        await auditAgentCreated(tx, admin.id, admin.id, 'admin')
        adminCreated = { email: DEMO_ADMIN_EMAIL, password: DEMO_PASSWORD }
        log(`admin… created ${DEMO_ADMIN_EMAIL}`)
      } else {
        log(`admin… kept ${admin.email}`)
      }

      // Agents
      const agentIds = new Map<AgentKey, number>()
      let agentsCreated = 0
      for (const a of DEMO_AGENTS) {
        let agent = await tx.agent.findUnique({ where: { email: a.email } })
        if (!agent) {
          agent = await tx.agent.create({
            data: { name: a.name, email: a.email, passwordHash: hashes.get(a.email)!, role: 'agent', createdAt: new Date(setupTime.getTime() + HOUR) },
          })
          await auditAgentCreated(tx, admin.id, agent.id, 'agent')
          agentsCreated++
        }
        agentIds.set(a.key, agent.id)
      }
      log(`agents… done (${agentsCreated} created)`)

      // Folders
      const folderIds = new Map<FolderKey, number>()
      folderIds.set('general', (await ensureDefaultFolder(tx)).id)
      let position = ((await tx.folder.aggregate({ _max: { position: true } }))._max.position ?? 0) + 1
      let foldersCreated = 0
      for (const f of DEMO_FOLDERS) {
        let folder = await tx.folder.findUnique({ where: { name: f.name } })
        if (!folder) {
          const addressTaken = (await tx.folder.findUnique({ where: { inboundAddress: f.inboundAddress } })) !== null
          folder = await tx.folder.create({ data: { name: f.name, position: position++, inboundAddress: addressTaken ? null : f.inboundAddress } })
          foldersCreated++
        }
        folderIds.set(f.key, folder.id)
      }
      await tx.folderMember.createMany({
        data: DEMO_AGENTS.flatMap((a) => a.folders.map((f) => ({ agentId: agentIds.get(a.key)!, folderId: folderIds.get(f)! }))),
        skipDuplicates: true,
      })
      log(`folders… done (${foldersCreated} created, memberships set)`)

      // Tags
      const tagIds = new Map<string, number>()
      for (const t of DEMO_TAGS) {
        const tag = await tx.tag.upsert({ where: { name: t.name }, update: {}, create: { name: t.name, colour: t.colour } })
        tagIds.set(t.name, tag.id)
      }
      log(`tags… done (${DEMO_TAGS.length})`)

      // Customers, each created a little before their first conversation
      const firstContact = new Map<number, number>()
      for (const c of plan) {
        const at = c.messages[0]!.at
        firstContact.set(c.customer, Math.min(firstContact.get(c.customer) ?? at, at))
      }
      await tx.customer.createMany({
        data: DEMO_CUSTOMERS.map((c, i) => ({
          name: c.name,
          email: c.email.toLowerCase(),
          createdAt: new Date((firstContact.get(i) ?? setupTime.getTime()) - 1000),
        })),
        skipDuplicates: true,
      })
      const customerRows = await tx.customer.findMany({
        where: { email: { in: DEMO_CUSTOMERS.map((c) => c.email.toLowerCase()) } },
        select: { id: true, email: true },
      })
      const customerIds = new Map(customerRows.map((c) => [c.email, c.id]))
      log(`customers… done (${DEMO_CUSTOMERS.length})`)

      // Conversations, then their messages, history and tags in bulk
      const messageRows: PrismaNS.MessageCreateManyInput[] = []
      const eventRows: PrismaNS.HistoryEventCreateManyInput[] = []
      const tagRows: PrismaNS.ConversationTagCreateManyInput[] = []
      const agentId = (key: AgentKey | undefined) => (key ? agentIds.get(key)! : null)
      let done = 0
      for (const c of plan) {
        const customerId = customerIds.get(DEMO_CUSTOMERS[c.customer]!.email.toLowerCase())!
        const times = [...c.messages.map((m) => m.at), ...c.events.map((e) => e.at)]
        const lastOf = (kind: MessageKind) => c.messages.filter((m) => m.kind === kind).at(-1)
        const lastPublic = c.messages.filter((m) => m.kind === 'customer' || m.kind === 'agent').at(-1)
        const lastCustomer = lastOf('customer')
        const lastAgent = lastOf('agent')
        const lastActivity = new Date(Math.max(...times))
        const conversation = await tx.conversation.create({
          data: {
            subject: c.subject,
            status: c.status,
            channel: c.channel,
            folderId: folderIds.get(c.folder)!,
            assigneeId: agentId(c.assignee),
            customerId,
            snippet: lastPublic ? snippetOf(lastPublic.text) : '',
            messageCount: c.messages.length,
            lastActivityAt: lastActivity,
            lastCustomerMessageAt: lastCustomer ? new Date(lastCustomer.at) : null,
            lastAgentReplyAt: lastAgent ? new Date(lastAgent.at) : null,
            pendingSince: c.status === 'pending' && c.pendingSince !== undefined ? new Date(c.pendingSince) : null,
            closedAt: c.closed ? new Date(c.closed.at) : null,
            closedByKind: c.closed?.kind ?? null,
            closedById: agentId(c.closed?.agent),
            createdAt: new Date(Math.min(...times)),
            updatedAt: lastActivity,
          },
          select: { id: true },
        })
        for (const m of c.messages) {
          messageRows.push({
            conversationId: conversation.id,
            kind: m.kind,
            authorAgentId: agentId(m.agent),
            customerId: m.kind === 'customer' ? customerId : null,
            bodyHtml: textToHtml(m.text),
            bodyText: m.text,
            createdAt: new Date(m.at),
          })
        }
        for (const e of c.events) {
          const data = e.type === 'assigned' ? { assigneeId: agentId(e.data.assigneeId as AgentKey)! } : e.data
          eventRows.push({ conversationId: conversation.id, actorKind: e.actorKind, actorAgentId: agentId(e.agent), type: e.type, data, createdAt: new Date(e.at) })
        }
        for (const t of c.tags) tagRows.push({ conversationId: conversation.id, tagId: tagIds.get(t.name)!, createdAt: new Date(t.at) })
        done++
        if (done % 10 === 0 || done === plan.length) log(`conversations ${done}/${plan.length}`)
      }
      // Rows go in time order, so ids follow the timeline too.
      const byTime = <T extends { createdAt?: Date | string }>(a: T, b: T) => new Date(a.createdAt!).getTime() - new Date(b.createdAt!).getTime()
      await tx.message.createMany({ data: messageRows.sort(byTime) })
      log(`messages… done (${messageRows.length})`)
      await tx.historyEvent.createMany({ data: eventRows.sort(byTime) })
      log(`history… done (${eventRows.length} events)`)
      await tx.conversationTag.createMany({ data: tagRows })
      log(`conversation tags… done (${tagRows.length})`)

      return {
        admin: adminCreated,
        agents: DEMO_AGENTS.length,
        folders: folderIds.size,
        tags: DEMO_TAGS.length,
        customers: DEMO_CUSTOMERS.length,
        conversations: plan.length,
        messages: messageRows.length,
        historyEvents: eventRows.length,
      }
    },
    { maxWait: 30_000, timeout: 300_000 },
  )
  return result
}

async function auditAgentCreated(tx: Tx, actorId: number, agentId: number, role: 'admin' | 'agent') {
  await tx.auditEvent.create({
    data: { actorAgentId: actorId, action: 'agent.created', targetType: 'agent', targetId: String(agentId), data: { role, demo: true } },
  })
}

// ---------------------------------------------------------------------------------------------
// Command line

const APP_RUNNING_HINT =
  'The embedded database can only be opened by one process at a time: stop Suivi (npm start) first, then run npm run seed:demo again, or set DATABASE_URL to a PostgreSQL server.'

async function main(): Promise<number> {
  try {
    process.loadEnvFile()
  } catch {}
  let config: Config
  try {
    config = loadConfig()
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message)
      return 1
    }
    throw err
  }
  const embedded = !config.databaseUrl

  // Only errors from the database layer; progress goes to stdout below.
  const logger = createLogger(config.logLevel === 'debug' || config.logLevel === 'trace' ? config.logLevel : 'error')
  console.log(`database… opening ${embedded ? `embedded database in ${path.resolve(config.dataDir)}` : 'PostgreSQL server'}`)
  let db: Database
  try {
    db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger })
  } catch (err) {
    console.error(`Could not open the database: ${err instanceof Error ? err.message : String(err)}`)
    if (err instanceof EmbeddedDatabaseBusyError) console.error(APP_RUNNING_HINT)
    return 1
  }
  console.log('database… done')

  try {
    const result = await seedDemo(db.prisma)
    console.log('')
    console.log(
      `Demo help desk ready: ${result.conversations} conversations, ${result.messages} messages, ${result.customers} customers, ${result.agents} agents, ${result.folders} folders, ${result.tags} tags.`,
    )
    console.log(`Agents (password "${DEMO_PASSWORD}"): ${DEMO_AGENTS.map((a) => a.email).join(', ')}`)
    if (result.admin) console.log(`Administrator: ${result.admin.email}  password: ${result.admin.password}`)
    else console.log('Administrator: your existing administrator account (unchanged).')
    console.log(`Start the app with npm start and sign in at ${config.publicUrl}/login`)
    return 0
  } catch (err) {
    if (err instanceof SeedRefusedError) {
      console.error(err.message)
      return 1
    }
    console.error(err)
    return 1
  } finally {
    await db.close().catch((err) => console.error('error while closing the database', err))
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(
    // The migration engine leaves a timer behind; exit explicitly once everything is closed.
    (code) => process.exit(code),
    (err) => {
      console.error(err)
      process.exit(1)
    },
  )
}
