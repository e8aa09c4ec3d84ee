import { asCustomer, SYSTEM } from '../src/domain/actor.ts'
import { recordAdminEvent } from '../src/domain/events/record.ts'
import { createDomainContext } from '../src/reactions/index.ts'
// Fills the help desk with demo data (agents, folders, tags, customers, 40 conversations) so a
// newcomer has something to look at. Run with `npm run seed:demo`; it uses the same database as
// `npm start`. Refuses to touch a database that already has conversations.
//
// Every conversation is played through the domain commands, in time order, with a clock set to
// the moment each step happens: the thread, the history, the statuses and the e-mails are what
// the help desk itself writes when people do these things.

import path from 'node:path'
import { ConfigError, loadConfig, type Config } from '../src/config.ts'
import { openDatabase, type Database, type Prisma, type Tx } from '../src/db/database.ts'
import { EmbeddedDatabaseBusyError } from '../src/db/embedded.ts'
import type { Actor } from '../src/domain/actor.ts'
import { hashPassword } from '../src/domain/agents/passwords.ts'
import type { DomainContext } from '../src/domain/context.ts'
import { addCustomerMessage } from '../src/domain/conversations/commands/addCustomerMessage.ts'
import { addInternalComment } from '../src/domain/conversations/commands/addInternalComment.ts'
import { assignConversation } from '../src/domain/conversations/commands/assignConversation.ts'
import { createConversation } from '../src/domain/conversations/commands/createConversation.ts'
import { moveConversation } from '../src/domain/conversations/commands/moveConversation.ts'
import { recordCustomerAnswer } from '../src/domain/conversations/commands/recordCustomerAnswer.ts'
import { replyAsAgent } from '../src/domain/conversations/commands/replyAsAgent.ts'
import { setConversationStatus } from '../src/domain/conversations/commands/setConversationStatus.ts'
import { startCustomerConversation } from '../src/domain/conversations/commands/startCustomerConversation.ts'
import { addTag, removeTag } from '../src/domain/conversations/commands/tagConversation.ts'
import { ensureDefaultFolder } from '../src/domain/folders/defaultFolder.ts'
import { reminderOffsetDays, runLifecycleSweep } from '../src/domain/lifecycle/sweep.ts'
import { instanceSecret } from '../src/domain/settings/instanceSecret.ts'
import { loadSettings, type Settings } from '../src/domain/settings/settings.ts'
import type { ConversationStatus } from '../src/generated/prisma/enums.ts'
import { createLogger } from '../src/logger.ts'
import type { MailContext } from '../src/mail/mailContext.ts'
import { mailDomainOf } from '../src/mail/outbound/outbox.ts'
import { bareAddress } from '../src/mail/replyAddress.ts'
import { createLocalEventBus } from '../src/realtime/events.ts'
import { mulberry32 } from './seededRandom.ts'

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
  const next = mulberry32(seed)
  const pick = <T>(items: readonly T[]): T => {
    if (!items.length) throw new Error('pick from an empty list')
    return items[Math.floor(next() * items.length)] as T
  }
  const chance = (p: number) => next() < p
  const between = (minMs: number, maxMs: number) => Math.round(minMs + next() * (maxMs - minMs))
  return { pick, chance, between }
}
type Random = ReturnType<typeof createRandom>

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

// ---------------------------------------------------------------------------------------------
// The cast. Nobody of it can receive e-mail: agents are at demo.test and customers at
// example.com / example.org, names reserved for examples and tests (RFC 2606), so the replies,
// notifications and reminders the commands put in the outbox can never reach a real person.

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

const DEMO_CUSTOMERS = {
  maria: { name: 'Maria Garcia', email: 'maria.garcia@example.com' },
  james: { name: 'James Wilson', email: 'james.wilson@example.org' },
  priya: { name: 'Priya Natarajan', email: 'priya.natarajan@example.com' },
  tom: { name: 'Tom Becker', email: 'tom.becker@example.org' },
  sofia: { name: 'Sofia Rossi', email: 'sofia.rossi@example.com' },
  kenji: { name: 'Kenji Tanaka', email: 'kenji.tanaka@example.org' },
  amelie: { name: 'Amélie Laurent', email: 'amelie.laurent@example.com' },
  daniel: { name: "Daniel O'Connor", email: 'daniel.oconnor@example.org' },
  fatima: { name: 'Fatima Haddad', email: 'fatima.haddad@example.com' },
  lukas: { name: 'Lukas Novak', email: 'lukas.novak@example.org' },
  grace: { name: 'Grace Okafor', email: 'grace.okafor@example.com' },
  henrik: { name: 'Henrik Larsen', email: 'henrik.larsen@example.org' },
  isabel: { name: 'Isabel Moreno', email: 'isabel.moreno@example.com' },
  noah: { name: 'Noah Fischer', email: 'noah.fischer@example.org' },
  olivia: { name: 'Olivia Chen', email: 'olivia.chen@example.com' },
} as const
type CustomerKey = keyof typeof DEMO_CUSTOMERS

// ---------------------------------------------------------------------------------------------
// The stories. Each is what happens to one conversation, step by step; the steps become domain
// commands. Texts are the bodies only: greetings and sign-offs are added around them.

type Step =
  | { kind: 'customer'; text: string; after?: number }
  | { kind: 'reply'; text: string; by?: AgentKey; close?: boolean; after?: number }
  | { kind: 'note'; text: string; by?: AgentKey; after?: number }
  | { kind: 'assign'; to: AgentKey | null; by?: AgentKey; after?: number }
  | { kind: 'tag'; tag: string; remove?: boolean; by?: AgentKey; after?: number }
  | { kind: 'move'; folder: FolderKey; by?: AgentKey; after?: number }
  | { kind: 'status'; to: ConversationStatus; by?: AgentKey; after?: number }
  /** The customer's one-click answer (reminder e-mail or status page). */
  | { kind: 'answer'; answer: 'solved' | 'not-solved'; after?: number }
  /** The customer stays silent until the lifecycle job sends its reminder. */
  | { kind: 'reminder' }
  /** The customer stays silent until the lifecycle job reminds them and then closes it. */
  | { kind: 'silence' }

interface Story {
  subject: string
  folder: FolderKey
  customer: CustomerKey
  /** email/portal: the customer writes first; send: an agent writes first; record: an agent notes down a call. */
  channel: 'email' | 'portal' | 'send' | 'record'
  /** Who acts when a step names nobody. */
  agent: AgentKey
  /** The status the story leads to; checked once it has been played. */
  ends: ConversationStatus
  steps: (Step | Step[])[]
}

const writes = (text: string, after?: number): Step => ({ kind: 'customer', text, after })
const replies = (text: string, o: { by?: AgentKey; close?: boolean; after?: number } = {}): Step => ({ kind: 'reply', text, ...o })
const notes = (text: string, by?: AgentKey): Step => ({ kind: 'note', text, by })
const assigns = (to: AgentKey | null, by?: AgentKey, after?: number): Step => ({ kind: 'assign', to, by, after })
const tags = (...names: string[]): Step[] => names.map((tag, i) => ({ kind: 'tag', tag, after: i > 0 ? 3000 : undefined }))
const untags = (tag: string, by?: AgentKey): Step => ({ kind: 'tag', tag, remove: true, by })
const moves = (folder: FolderKey, by?: AgentKey): Step => ({ kind: 'move', folder, by })
const sets = (to: ConversationStatus, by?: AgentKey, after?: number): Step => ({ kind: 'status', to, by, after })
const answers = (answer: 'solved' | 'not-solved', after?: number): Step => ({ kind: 'answer', answer, after })
const reminded: Step = { kind: 'reminder' }
const silence: Step = { kind: 'silence' }

const STORIES: Story[] = [
  // ---- New: nobody has answered yet.
  {
    subject: "Can't find the export button",
    folder: 'general',
    customer: 'maria',
    channel: 'email',
    agent: 'alice',
    ends: 'new',
    steps: [
      writes(
        "I'm trying to export our contact list to CSV but I can't find the export option anywhere. The help article mentions a button under Settings, but I don't see it there. Has it moved?",
      ),
      writes(
        'Just following up on my message from yesterday: our quarterly report is due on Friday and I need that export for it. Could someone point me in the right direction?',
        20 * HOUR,
      ),
    ],
  },
  {
    subject: 'Board not announced by screen reader',
    folder: 'general',
    customer: 'daniel',
    channel: 'portal',
    agent: 'alice',
    ends: 'new',
    steps: [
      writes(
        'One of our team members uses NVDA and finds the project board hard to navigate: cards are not announced when they are moved from one column to another.',
      ),
      assigns('alice', 'chloe'),
      tags('bug'),
      notes(
        'Reproduced with NVDA and Firefox on the staging board: moving a card is silent, the list view announces it fine. I will answer once the front-end team confirms the cause.',
      ),
    ],
  },
  {
    subject: 'Android app crashes on startup',
    folder: 'technical',
    customer: 'kenji',
    channel: 'email',
    agent: 'bruno',
    ends: 'new',
    steps: [
      writes(
        'Since the latest update the Android app crashes immediately on my Pixel 7. Reinstalling did not help, and my colleagues on iPhones have no problem.',
      ),
      assigns('bruno'),
      tags('bug', 'urgent'),
    ],
  },
  {
    subject: 'Do you offer a non-profit discount?',
    folder: 'billing',
    customer: 'fatima',
    channel: 'portal',
    agent: 'alice',
    ends: 'new',
    steps: [
      writes('We are a registered charity supporting refugees with language classes, run mostly by volunteers. Do you offer a discount for non-profits?'),
    ],
  },
  {
    subject: 'Phone call: a second workspace for the Oslo office',
    folder: 'general',
    customer: 'henrik',
    channel: 'record',
    agent: 'alice',
    ends: 'new',
    steps: [
      writes(
        'Henrik called: they open an office in Oslo in September and want a separate workspace for it, billed on the same invoice as the main one. He also asked whether people can belong to both workspaces without paying for two seats. I promised an answer by Thursday.',
      ),
      assigns('alice'),
      tags('vip'),
    ],
  },
  {
    subject: 'Digest e-mails show the wrong times',
    folder: 'technical',
    customer: 'lukas',
    channel: 'email',
    agent: 'bruno',
    ends: 'new',
    steps: [
      writes(
        'Our daily digest arrives at 7 in the morning as expected, but every time inside it is two hours off. We are in Vienna and my profile time zone is set correctly. Does the digest use a different setting?',
      ),
    ],
  },
  {
    subject: 'Where is our data hosted?',
    folder: 'general',
    customer: 'olivia',
    channel: 'email',
    agent: 'chloe',
    ends: 'new',
    steps: [
      writes(
        'Our legal team is asking where our workspace data is stored and whether it ever leaves the EU. Could you tell me which data centres you use and who your sub-processors are?',
      ),
      writes('To add to my question: we also need to know whether support staff outside the EU can see our data when they help us.', 2 * HOUR),
      assigns('chloe'),
    ],
  },
  {
    subject: 'Receipt for our last payment',
    folder: 'billing',
    customer: 'noah',
    channel: 'portal',
    agent: 'alice',
    ends: 'new',
    steps: [
      writes(
        'I paid the May invoice by bank transfer on the 2nd, but I have not received a receipt and the invoice still shows as open on the billing page. Our transfer reference was INV-2291.',
      ),
    ],
  },

  // ---- Open: the customer answered; the agents' turn.
  {
    subject: 'Login loop after password reset',
    folder: 'technical',
    customer: 'james',
    channel: 'email',
    agent: 'bruno',
    ends: 'open',
    steps: [
      writes('After resetting my password I am stuck in a loop: I log in, the page reloads and I am back on the login screen. Same in Chrome and Firefox.'),
      assigns('bruno'),
      tags('login', 'bug'),
      replies(
        'Thanks for the details. This usually comes from an old session cookie. Could you try a private window, or clear the cookies for our site, and tell me whether that helps?',
      ),
      writes('A private window works. Clearing cookies in Chrome did not help though, I still land on the login page every time.'),
      notes(
        'Private window works, normal window does not: most likely a privacy extension stripping our session cookie. Checking which extensions block it before I answer.',
      ),
    ],
  },
  {
    subject: 'API returns 429 Too Many Requests',
    folder: 'technical',
    customer: 'priya',
    channel: 'email',
    agent: 'bruno',
    ends: 'open',
    steps: [
      writes('Our nightly sync has been failing with HTTP 429 from the API since yesterday. We make about 2,000 requests in 10 minutes.'),
      assigns('bruno', 'chloe'),
      tags('integration'),
      replies(
        'Your plan allows 120 requests per minute, and the sync now goes over that. Each 429 response has a Retry-After header; if your client waits that long before retrying, the sync will finish. The batch endpoint can also cut the number of requests a lot.',
      ),
      writes('We switched to the batch endpoint and it is much faster now. Is there a limit on the batch size?'),
    ],
  },
  {
    subject: 'Refund for the annual plan',
    folder: 'billing',
    customer: 'tom',
    channel: 'email',
    agent: 'alice',
    ends: 'open',
    steps: [
      writes('We upgraded to the annual plan two weeks ago, but the project it was for has been cancelled. Is a refund possible?'),
      assigns('alice'),
      tags('refund'),
      replies(
        'Annual plans can be refunded within 30 days, so you are well within the window. Would you prefer a full refund and cancellation, or a switch back to monthly billing with the difference refunded?',
      ),
      writes(
        'Switching back to monthly would be perfect. Could you make sure the refund goes to the company card and not to my personal one? I updated the card last week.',
      ),
    ],
  },
  {
    subject: 'Two-factor codes not accepted',
    folder: 'technical',
    customer: 'sofia',
    channel: 'email',
    agent: 'bruno',
    ends: 'open',
    steps: [
      writes('I got a new phone and my authenticator codes are rejected. I cannot log in at all.'),
      assigns('bruno', 'chloe'),
      tags('login', 'urgent'),
      replies(
        'For your security I cannot turn off two-factor authentication by e-mail alone. Please use one of your recovery codes, or ask a workspace owner to reset it for you under Settings > Team.',
      ),
      writes('Nobody else is an owner, and I cannot find the recovery codes anywhere. I am locked out of our whole workspace.'),
      notes(
        'Identity check needed before any reset. Chloé, could you send the verification link to their billing address? I do not have access to the billing tools.',
      ),
    ],
  },
  {
    subject: 'Transferring the account to a new owner',
    folder: 'general',
    customer: 'amelie',
    channel: 'portal',
    agent: 'alice',
    ends: 'open',
    steps: [
      writes('Our office manager, who set up the account, is leaving at the end of the month. How do we transfer ownership to me?'),
      replies(
        "The current owner can do it under Settings > Team > Transfer ownership. If she is no longer available, we can do it for you once we have verified the request: please reply from the owner's address or send us a short signed note.",
      ),
      writes('She tried the transfer this morning, but it says my invitation is still pending, and I never received one.'),
    ],
  },
  {
    subject: 'Calendar sync creates duplicate events',
    folder: 'technical',
    customer: 'isabel',
    channel: 'email',
    agent: 'chloe',
    ends: 'open',
    steps: [
      writes('Since Tuesday every task with a due date shows up twice in our shared Google calendar. It started right after we renamed the project.'),
      assigns('chloe'),
      replies(
        'Renaming a project gave its calendar feed a new address, and Google now subscribes to both the old and the new one. Remove the old calendar under "Other calendars" in Google Calendar and the duplicates disappear within an hour.',
      ),
      writes('That did it, the duplicates are gone. Thank you!'),
      sets('closed'),
      // Within the reopen window, the customer's message opens the closed conversation again.
      writes(
        'I am sorry to come back to this, but the duplicates are back since this morning, and this time nobody renamed anything. Only the tasks created today are doubled.',
        3 * DAY,
      ),
    ],
  },
  {
    subject: 'Custom domain for the help centre stays unverified',
    folder: 'technical',
    customer: 'grace',
    channel: 'email',
    agent: 'bruno',
    ends: 'open',
    steps: [
      writes(
        'We added the CNAME record for our help centre subdomain exactly as your guide describes, but the domain has shown "Pending verification" for three days now.',
      ),
      tags('vip'),
      assigns('bruno', 'chloe'),
      replies(
        'The record points at our old hostname. Please change its target to the one shown on the Custom domain page (it now ends in "edge"); verification runs every 15 minutes after that.',
      ),
      reminded,
      answers('not-solved', 5 * HOUR),
      writes(
        'We changed the target the same day you wrote, but the page still says pending. Our DNS provider shows the new value, so I am not sure what else to check.',
        10 * MINUTE,
      ),
    ],
  },
  {
    subject: 'Why did our bill go up?',
    folder: 'general',
    customer: 'maria',
    channel: 'email',
    agent: 'alice',
    ends: 'open',
    steps: [
      writes("This month's invoice is €180 instead of the usual €120. Nothing changed on our side, as far as I know."),
      moves('billing'),
      assigns('alice'),
      tags('invoice'),
      sets('open'),
      notes('Three seats were added on the 12th by their team admin. Asking finance whether interns can be turned into guests retroactively before I answer.'),
    ],
  },
  {
    subject: 'Webhook deliveries failing with SSL errors',
    folder: 'technical',
    customer: 'henrik',
    channel: 'email',
    agent: 'bruno',
    ends: 'open',
    steps: [
      writes('Our webhook endpoint stopped receiving events on Monday. The dashboard shows "SSL handshake failed" for every delivery.'),
      assigns('bruno', 'chloe'),
      tags('integration', 'vip'),
      replies(
        "Your endpoint's certificate chain is incomplete: the intermediate certificate is missing, which browsers tolerate but our delivery service does not. Adding the intermediate certificate on your server should fix it.",
      ),
      writes('Our ops team fixed the certificate chain. Can you resend the events that failed since Monday?'),
    ],
  },
  {
    subject: 'Your trial ends on Friday',
    folder: 'general',
    customer: 'james',
    channel: 'send',
    agent: 'chloe',
    ends: 'open',
    steps: [
      replies(
        'I noticed your team has been using the trial a lot, so I wanted to check in before it ends on Friday. Is there anything I can help with, or any questions about the plans?',
      ),
      assigns('chloe'),
      writes(
        'Thanks for reaching out! We would like to continue, but our procurement team needs a quote for 25 seats on the Business plan before Friday. Can you send one?',
      ),
    ],
  },
  {
    subject: 'Payment failed but the card works',
    folder: 'billing',
    customer: 'lukas',
    channel: 'portal',
    agent: 'alice',
    ends: 'open',
    steps: [
      writes('We got an e-mail saying our payment failed, but the card works everywhere else. Our account now shows a red banner.'),
      assigns('alice', 'chloe'),
      replies(
        'Your bank asked for a 3-D Secure confirmation that could not be completed automatically. If you open Billing > Payment method and click "Retry payment", you will be asked to confirm it in your banking app.',
      ),
      writes('Done, the banking app confirmed the payment, but the red banner is still there after logging out and in again.'),
      assigns('chloe', 'alice'),
      notes(
        'Handing this to you, Chloé: the payment is captured but the account flag did not clear. You fixed the same thing for another customer last month.',
        'alice',
      ),
    ],
  },
  {
    subject: 'Shifting many due dates at once',
    folder: 'general',
    customer: 'fatima',
    channel: 'email',
    agent: 'chloe',
    ends: 'open',
    steps: [
      writes(
        'We need to push the due dates of about 60 tasks back by two weeks because a supplier is late. Is there a way to shift them all at once instead of editing each task?',
      ),
      assigns('chloe'),
      sets('open'),
      notes(
        'Asked the product team whether the bulk edit in the list view can shift dates by an offset; today it can only set one fixed date for all selected tasks.',
      ),
      assigns(null, 'chloe', DAY),
      notes(
        'I am away until Monday and have unassigned myself. Whoever picks this up: the product team answered in the comment above, a workaround with the spreadsheet import would do.',
      ),
    ],
  },

  // ---- Pending: an agent answered; waiting on the customer.
  {
    subject: 'Invoice needs our VAT number',
    folder: 'billing',
    customer: 'priya',
    channel: 'email',
    agent: 'alice',
    ends: 'pending',
    steps: [
      writes('Our accounting department needs our VAT number on the March invoice. Can you reissue it with VAT ID DE123456789?'),
      assigns('alice'),
      tags('invoice'),
      replies(
        'I have added the VAT ID to your billing profile and reissued the March invoice; you can download it from Billing > Invoices. Future invoices will include it automatically.',
      ),
    ],
  },
  {
    subject: 'PDF export cuts off wide tables',
    folder: 'technical',
    customer: 'tom',
    channel: 'email',
    agent: 'bruno',
    ends: 'pending',
    steps: [
      writes('When I export a report to PDF, wide tables are cut off at the right edge. Landscape orientation does not help.'),
      assigns('bruno'),
      tags('bug'),
      replies(
        'I could reproduce this with tables of more than 12 columns, and our developers are on it. Until then, "Fit to page width" in the export options shrinks the table so that it fits.',
      ),
      writes('Fit to page width works, but the text is tiny. Any chance the fix comes soon?'),
      replies("The fix, which wraps wide tables across pages, is scheduled for next week's release. I will post here when it is live."),
    ],
  },
  {
    subject: 'Slack notifications stopped',
    folder: 'technical',
    customer: 'amelie',
    channel: 'email',
    agent: 'bruno',
    ends: 'pending',
    steps: [
      writes('Our Slack channel has not received any notifications since Friday. Nothing changed in our setup as far as I know.'),
      notes('Slack shows the token as revoked on Friday at 17:02, the same minute their former admin was removed from their Slack workspace.'),
      replies(
        'Slack revoked the token when the person who installed the integration left your Slack workspace. Reconnecting it from Settings > Integrations > Slack, ideally with a shared admin account, brings the notifications back.',
      ),
    ],
  },
  {
    subject: 'Planned maintenance on your dedicated instance',
    folder: 'technical',
    customer: 'grace',
    channel: 'send',
    agent: 'bruno',
    ends: 'pending',
    steps: [
      replies(
        'We will upgrade the database server of your dedicated instance on Sunday between 02:00 and 04:00 UTC, with up to 15 minutes of downtime. Does that window work for you, or should we pick another night?',
      ),
      assigns('bruno'),
      tags('vip'),
    ],
  },
  {
    subject: 'Adding more people to our workspace',
    folder: 'general',
    customer: 'sofia',
    channel: 'portal',
    agent: 'alice',
    ends: 'pending',
    steps: [
      writes('We are growing and need to add five more people. Is there a discount for larger teams, and can I invite them all at once?'),
      assigns('alice'),
      replies(
        'From 10 seats upward the per-seat price drops by 15%, applied automatically. You can invite several people at once from Settings > Team > Invite by pasting a list of addresses, one per line.',
      ),
      writes('Does the discount apply right away or only from the next renewal?'),
      replies(
        'It applies immediately: the new seats are prorated at the discounted rate for the rest of this period, and your next renewal uses the new price for every seat.',
      ),
    ],
  },
  {
    subject: 'Product demo for our leadership team',
    folder: 'general',
    customer: 'isabel',
    channel: 'email',
    agent: 'chloe',
    ends: 'pending',
    steps: [
      writes('Our leadership team meets next Thursday and I would like to show them what the Business plan adds. Could someone walk us through it?'),
      assigns('chloe', 'alice'),
      replies('Happy to help! I can offer Wednesday at 14:00 or Thursday at 10:00 (CET) for a 30-minute call. Which suits you better?'),
    ],
  },
  {
    subject: "All of last year's invoices for our auditor",
    folder: 'billing',
    customer: 'noah',
    channel: 'email',
    agent: 'alice',
    ends: 'pending',
    steps: [
      writes(
        'Our auditor needs every invoice from last year as PDF files, ideally in one download. Clicking through twelve months one by one takes ages. Is there a faster way?',
      ),
      assigns('alice'),
      replies(
        'There is: on Billing > Invoices, choose "Download all" and pick the year; you get a single ZIP file with one PDF per invoice. I have also checked that all twelve invoices of last year are there, including the credit note from March.',
      ),
    ],
  },
  {
    subject: 'CSV import fails with "invalid date"',
    folder: 'technical',
    customer: 'daniel',
    channel: 'email',
    agent: 'bruno',
    ends: 'pending',
    steps: [
      writes('I am importing 3,000 rows and get "invalid date in row 17". Row 17 looks like every other row: 03/04/2024.'),
      assigns('bruno', 'chloe'),
      tags('bug'),
      replies(
        'The importer guessed the month/day order from the first rows, which were ambiguous. Choose "Day/Month/Year" as the date format on the mapping screen and row 17 will import.',
      ),
      writes('That worked for the dates, but now accented names look garbled, for example "JosÃ©" instead of "José".'),
      notes('A Windows-1252 file re-saved by a spreadsheet program. Worth adding encoding detection to the importer; filed it with the data team.'),
      replies(
        'That is an encoding issue: the file was re-saved by a spreadsheet program in another encoding. Picking "UTF-8" explicitly in the import options fixes it.',
      ),
    ],
  },

  // ---- Closed: by an agent, by the customer, or by the inactivity rule.
  {
    subject: 'Charged twice this month',
    folder: 'billing',
    customer: 'olivia',
    channel: 'email',
    agent: 'alice',
    ends: 'closed',
    steps: [
      writes('I was charged twice for my subscription this month: two payments of €49 on the 3rd. Can you refund one of them?'),
      assigns('alice', 'chloe'),
      tags('refund', 'urgent'),
      replies(
        'I am sorry about that. I can see both payments: the second came from an automatic retry after your bank briefly declined the first. I have refunded the duplicate €49; it should be back on your card within 5 to 10 business days.',
      ),
      writes('Thanks. Will this happen again next month?'),
      replies('It should not: we have fixed the retry for your card type. I have also added a note to your account so we check the next renewal by hand.', {
        close: true,
      }),
      untags('urgent'),
    ],
  },
  {
    subject: 'How long do you keep our data after we cancel?',
    folder: 'general',
    customer: 'henrik',
    channel: 'email',
    agent: 'chloe',
    ends: 'closed',
    steps: [
      writes('We are reviewing our suppliers for GDPR compliance. If we cancel, how long is our data kept, and does that include backups?'),
      tags('vip'),
      assigns('chloe'),
      replies(
        'We keep your data for 30 days after cancellation so you can reactivate, then delete it permanently. Backups roll over within a further 35 days, after which nothing remains.',
      ),
      writes('Thanks. Could you confirm that in writing for our compliance file?'),
      replies(
        'Of course: this reply is our written confirmation, and the full policy is published on our legal page. I have also noted on your account that you want an e-mail once the deletion is complete.',
      ),
      silence,
    ],
  },
  {
    subject: 'Feature request: dark mode',
    folder: 'general',
    customer: 'lukas',
    channel: 'portal',
    agent: 'alice',
    ends: 'closed',
    steps: [
      writes('Our support team works late shifts and would love a dark theme. The bright white screen is tiring after 10 pm. Is this planned?'),
      tags('feature request'),
      replies('Thanks for the suggestion! Dark mode is on our roadmap, and I have added your vote and your use case to the request.'),
      writes('Great to hear. Is there a rough timeline we could share with the team?'),
      replies('No firm date yet, but it is planned for the second half of the year. I will update this conversation when it ships.', { close: true }),
    ],
  },
  {
    subject: 'Feature request: recurring tasks',
    folder: 'general',
    customer: 'grace',
    channel: 'email',
    agent: 'chloe',
    ends: 'closed',
    steps: [
      writes('It would save us a lot of time if tasks could repeat weekly or monthly. Right now we copy the same checklist every Monday.'),
      tags('feature request', 'vip'),
      replies(
        'That is a great use case. Recurring tasks are not available yet, but you can save your checklist as a template and create it in one click each week. I have logged your request with the product team.',
      ),
      writes('The template trick helps, thanks. Would recurring tasks also support "last working day of the month"?'),
      replies('I have added that detail to the request; the product team is collecting exactly these scheduling rules before they design the feature.'),
      silence,
    ],
  },
  {
    subject: 'Please cancel our subscription',
    folder: 'billing',
    customer: 'kenji',
    channel: 'email',
    agent: 'alice',
    ends: 'closed',
    steps: [
      writes('Please cancel our subscription at the end of the current period. We are consolidating tools across the company.'),
      replies(
        'Sorry to see you go. I have scheduled the cancellation for the end of your current period on the 30th, and you keep full access until then. May I ask which tool you are moving to? It helps us improve.',
      ),
      writes('We are moving to the tool our parent company uses; nothing wrong with yours.'),
      replies(
        'Thanks for letting us know, and thank you for being a customer. Your data stays available for 30 days after the cancellation if you ever need an export.',
        { close: true },
      ),
    ],
  },
  {
    subject: 'Updating our credit card',
    folder: 'billing',
    customer: 'isabel',
    channel: 'portal',
    agent: 'alice',
    ends: 'closed',
    steps: [
      writes('Our company card expires next week. Where do I enter the new one? I do not see a payment section anywhere.'),
      replies(
        'Only the billing contact can change payment details; in your workspace that is currently Tom. He will find it under Billing > Payment method, or he can make you the billing contact from the same page.',
      ),
      writes('Tom is on holiday until the 20th. Can you make me the billing contact instead?'),
      replies(
        'For security we cannot change the billing contact on request, but any workspace owner can. Marta is also an owner, so she can do it in a few clicks under Billing > Contacts.',
      ),
      // The "it is resolved" button of the status page.
      answers('solved', DAY),
    ],
  },
  {
    subject: 'Follow-up on our call: single sign-on',
    folder: 'technical',
    customer: 'priya',
    channel: 'send',
    agent: 'bruno',
    ends: 'closed',
    steps: [
      replies(
        "As discussed on the phone, here are the steps to connect your identity provider: create a SAML application there, paste our metadata address, then send us the provider's metadata address. Let me know once you have it.",
      ),
      assigns('bruno'),
      tags('integration'),
      writes('I have pasted the metadata address from our identity provider into the SSO settings page. Let us know when we can test.'),
      replies(
        'Single sign-on is configured on our side. You can test it with any account by choosing "Sign in with SSO" on the login page; password logins keep working until you enforce SSO.',
      ),
      writes('Works for the three of us who tried. Thanks!'),
      sets('closed'),
    ],
  },
  {
    subject: 'Where do I find our API key?',
    folder: 'technical',
    customer: 'james',
    channel: 'email',
    agent: 'bruno',
    ends: 'closed',
    steps: [
      writes(
        'I am setting up the Zapier connection and it asks for an API key. I have looked through every settings page and cannot find one. Where do I get it?',
      ),
      replies(
        'API keys live under your profile rather than the workspace settings: open Profile > API keys and click "Create key". Give it a name like "Zapier" so you can revoke it later without affecting anything else.',
      ),
      answers('solved', 2 * HOUR),
    ],
  },
  {
    subject: 'Our notification e-mails land in spam',
    folder: 'technical',
    customer: 'sofia',
    channel: 'email',
    agent: 'chloe',
    ends: 'closed',
    steps: [
      writes(
        'Several of our clients say the notification e-mails your platform sends on our behalf end up in their spam folder. We send from our own domain since last month.',
      ),
      assigns('chloe'),
      replies(
        'When you send from your own domain, it needs to authorise us: add the SPF include and the two DKIM records shown under Settings > E-mail sending to your DNS. Until they are in place, receiving servers cannot tell that we may send for you.',
      ),
      reminded,
      answers('solved', 4 * HOUR),
    ],
  },
  {
    subject: 'Change the company name on our invoices',
    folder: 'billing',
    customer: 'noah',
    channel: 'email',
    agent: 'alice',
    ends: 'closed',
    steps: [
      writes(
        'We changed our company name from Fischer Logistik to Fischer & Partner Logistics last month. Can future invoices show the new name? The address stays the same.',
      ),
      tags('invoice'),
      replies(
        'Done: the billing profile now shows Fischer & Partner Logistics, and every invoice from today on carries the new name. Past invoices keep the old name, as the law requires, but I can add a note about the change to them if your accountant wants one.',
        { close: true },
      ),
    ],
  },
  {
    subject: 'Phone call: restoring a deleted project',
    folder: 'general',
    customer: 'maria',
    channel: 'record',
    agent: 'alice',
    ends: 'closed',
    steps: [
      writes(
        'Maria called: a colleague deleted the "Spring campaign" project yesterday afternoon by mistake, with about 40 tasks and their attachments. She needs it back before Monday\'s client meeting.',
      ),
      assigns('alice'),
      replies(
        'As promised on the phone, I have restored the Spring campaign project with all its tasks, comments and attachments. It is back in your sidebar; only the two tasks your colleague had already moved elsewhere stayed where they were.',
      ),
      writes('Everything is back where it was. You saved our Monday, thank you!'),
      sets('closed'),
    ],
  },
  {
    subject: 'Can we get a copy of your SOC 2 report?',
    folder: 'general',
    customer: 'olivia',
    channel: 'email',
    agent: 'chloe',
    ends: 'closed',
    steps: [
      writes('Our security team needs your latest SOC 2 Type II report before we can renew our contract. Is it something you can share?'),
      assigns('chloe'),
      replies(
        'Yes, we share it under a mutual non-disclosure agreement. Our legal team will send you the NDA today; as soon as it is signed, I will send the report over.',
      ),
      writes('The signed NDA is on its way back to your legal team. Thanks for the quick turnaround.'),
      replies(
        'Thank you! The NDA arrived, and the report (covering last October to this March) is now available in the trust centre of your workspace under Settings > Security. Let me know if your security team has questions about it.',
        { close: true },
      ),
    ],
  },
]
export const DEMO_CONVERSATION_COUNT = STORIES.length

const CUSTOMER_GREETINGS = ['Hello,', 'Hi there,', 'Hi,', 'Good morning,', 'Dear support team,']
const CUSTOMER_SIGNOFFS = ['Thanks', 'Best', 'Kind regards', 'Cheers', 'Many thanks']
const AGENT_SIGNOFFS = ['Best regards', 'Kind regards', 'Best', 'All the best']

/** How long ago each status's last activity may be: new ones are fresh, closed ones span 40 days. */
const LAST_ACTIVITY_AGO: Record<ConversationStatus, [number, number]> = {
  new: [10 * MINUTE, 2 * DAY],
  open: [30 * MINUTE, 10 * DAY],
  pending: [1 * HOUR, 4 * DAY],
  closed: [1 * DAY, 40 * DAY],
}

/** Time before a step when the story does not say. */
const DELAY: Record<Exclude<Step['kind'], 'reminder' | 'silence'>, [number, number]> = {
  customer: [40 * MINUTE, 28 * HOUR],
  reply: [15 * MINUTE, 5 * HOUR],
  note: [5 * MINUTE, 2 * HOUR],
  assign: [1 * MINUTE, 25 * MINUTE],
  tag: [30_000, 10 * MINUTE],
  move: [2 * MINUTE, 30 * MINUTE],
  status: [10 * MINUTE, 3 * HOUR],
  answer: [1 * HOUR, 30 * HOUR],
}

const firstName = (name: string) => name.split(' ')[0] ?? name
const agentNamed = (key: AgentKey) => DEMO_AGENTS.find((a) => a.key === key)!

// ---------------------------------------------------------------------------------------------
// The plan: every step of every story with its moment, decided up front (pure and deterministic).

type Action =
  | { kind: 'start'; channel: 'email' | 'portal'; text: string }
  | { kind: 'create'; mode: 'send' | 'record'; text: string; by: AgentKey }
  | { kind: 'customer'; text: string }
  | { kind: 'reply'; text: string; by: AgentKey; close: boolean }
  | { kind: 'note'; text: string; by: AgentKey }
  | { kind: 'assign'; to: AgentKey | null; by: AgentKey }
  | { kind: 'tag'; tag: string; remove: boolean; by: AgentKey }
  | { kind: 'move'; folder: FolderKey; by: AgentKey }
  | { kind: 'status'; to: ConversationStatus; by: AgentKey }
  | { kind: 'answer'; answer: 'solved' | 'not-solved' }
  /** The lifecycle job's run at that moment (reminders and automatic closes that are due). */
  | { kind: 'sweep' }

interface PlannedStep {
  story: number
  at: number
  action: Action
}

/** Actions that move the conversation's last activity (a new message, or the customer's answer). */
const TOUCHES = new Set<Action['kind']>(['start', 'create', 'customer', 'reply', 'note', 'answer'])

function planStory(random: Random, story: Story, index: number, settings: Settings): PlannedStep[] {
  const customer = DEMO_CUSTOMERS[story.customer]
  const steps = story.steps.flat()
  const planned: { at: number; action: Action }[] = []
  const reminderDays = reminderOffsetDays(settings)
  let t = 0
  // When the current pending period began (the latest agent reply), for the lifecycle job's timing.
  let pendingSince: number | null = null
  let lastReplier: AgentKey | null = null

  const customerText = (text: string, first: boolean) => {
    if (text.length < 90) return `${text}\n\n${firstName(customer.name)}`
    const greeting = !first && lastReplier && random.chance(0.6) ? `Hi ${firstName(agentNamed(lastReplier).name)},` : random.pick(CUSTOMER_GREETINGS)
    return `${greeting}\n\n${text}\n\n${random.pick(CUSTOMER_SIGNOFFS)},\n${firstName(customer.name)}`
  }
  const agentText = (text: string, by: AgentKey) =>
    `Hi ${firstName(customer.name)},\n\n${text}\n\n${random.pick(AGENT_SIGNOFFS)},\n${firstName(agentNamed(by).name)}`
  const sweepAfter = (since: number | null, days: number) => {
    if (since === null) throw new Error(`demo story "${story.subject}" waits for the lifecycle job while nothing is pending`)
    return Math.max(t, since + days * DAY) + random.between(2 * MINUTE, 8 * MINUTE)
  }

  steps.forEach((step, i) => {
    if (step.kind === 'reminder' || step.kind === 'silence') {
      let reminderAt: number | null = null
      if (reminderDays !== null) {
        reminderAt = sweepAfter(pendingSince, reminderDays)
        planned.push({ at: reminderAt, action: { kind: 'sweep' } })
        t = reminderAt
      }
      if (step.kind === 'silence') {
        if (settings.pendingCloseDays > 0) {
          const closeAt = Math.max(
            sweepAfter(pendingSince, settings.pendingCloseDays),
            reminderAt === null ? 0 : reminderAt + settings.reminderBeforeCloseDays * DAY + 2 * MINUTE,
          )
          planned.push({ at: closeAt, action: { kind: 'sweep' } })
          t = closeAt
        } else {
          // Automatic closing is turned off here: the agent closes the silent conversation by hand.
          t = sweepAfter(pendingSince, 14)
          planned.push({ at: t, action: { kind: 'status', to: 'closed', by: story.agent } })
        }
        pendingSince = null
      }
      return
    }
    if (i > 0) t += step.after ?? random.between(...DELAY[step.kind])
    const by = 'by' in step && step.by ? step.by : story.agent
    let action: Action
    switch (step.kind) {
      case 'customer':
        if (i === 0 && story.channel === 'record') action = { kind: 'create', mode: 'record', text: step.text, by }
        else if (i === 0 && (story.channel === 'email' || story.channel === 'portal'))
          action = { kind: 'start', channel: story.channel, text: customerText(step.text, true) }
        else action = { kind: 'customer', text: customerText(step.text, false) }
        pendingSince = null
        break
      case 'reply':
        action =
          i === 0
            ? { kind: 'create', mode: 'send', text: agentText(step.text, by), by }
            : { kind: 'reply', text: agentText(step.text, by), by, close: step.close === true }
        pendingSince = step.close ? null : t
        lastReplier = by
        break
      case 'note':
        action = { kind: 'note', text: step.text, by }
        break
      case 'assign':
        action = { kind: 'assign', to: step.to, by }
        break
      case 'tag':
        action = { kind: 'tag', tag: step.tag, remove: step.remove === true, by }
        break
      case 'move':
        action = { kind: 'move', folder: step.folder, by }
        break
      case 'status':
        action = { kind: 'status', to: step.to, by }
        if (step.to !== 'pending') pendingSince = null
        break
      case 'answer':
        action = { kind: 'answer', answer: step.answer }
        pendingSince = null
        break
    }
    if (i === 0 && action.kind !== 'start' && action.kind !== 'create') throw new Error(`demo story "${story.subject}" must begin with a message`)
    planned.push({ at: t, action })
  })

  // Move the story so that its last activity falls in its status's window, and its last step
  // (an automatic close comes weeks after the last message) still lies before now.
  const lastTouch = Math.max(...planned.filter((p) => TOUCHES.has(p.action.kind)).map((p) => p.at))
  const tail = t - lastTouch
  const [minAgo, maxAgo] = LAST_ACTIVITY_AGO[story.ends]
  const ago = random.between(Math.max(minAgo, tail + 30 * MINUTE), Math.max(maxAgo, tail + DAY))
  return planned.map((p) => ({ story: index, at: p.at - lastTouch - ago, action: p.action }))
}

// ---------------------------------------------------------------------------------------------

/** What the seed needs of the help desk: its database and how its e-mails are addressed. */
export type SeedTarget = Pick<DomainContext, 'prisma' | 'mail'>

/** Fills the database with a demo help desk. Throws SeedRefusedError when conversations exist. */
export async function seedDemo(target: SeedTarget, options: SeedDemoOptions = {}): Promise<SeedDemoResult> {
  const { prisma } = target
  const now = options.now ?? new Date()
  const log = options.log ?? ((line: string) => console.log(line))
  const refusal = () =>
    new SeedRefusedError('This database already has conversations; the demo data is only added to an empty help desk, never mixed into real data.')

  if ((await prisma.conversation.count()) > 0) throw refusal()

  const random = createRandom(20240517)
  const settings = await loadSettings(prisma)
  const timeline = STORIES.flatMap((story, i) => planStory(random, story, i, settings))
    .map((step) => ({ ...step, at: step.at + now.getTime() }))
    // Stable: steps of one story keep their order even at the same millisecond.
    .sort((a, b) => a.at - b.at)
  const setupTime = new Date(timeline[0]!.at - 5 * DAY)

  const hashes = new Map<string, string>()
  for (const email of [DEMO_ADMIN_EMAIL, ...DEMO_AGENTS.map((a) => a.email)]) hashes.set(email, await hashPassword(DEMO_PASSWORD))
  log('passwords… done')

  // The cast, in one transaction. The audit marker it leaves lets a second run started at the
  // same time refuse as well, since the conversations come later, one command at a time.
  const cast = await prisma.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('suivi:seed-demo'))`
      if ((await tx.conversation.count()) > 0 || (await tx.auditEvent.count({ where: { action: 'demo.seeded' } })) > 0) throw refusal()
      return setUpCast(tx, hashes, setupTime, timeline, log)
    },
    { maxWait: 30_000, timeout: 120_000 },
  )

  let clockTime = setupTime.getTime()
  const ctx: DomainContext = createDomainContext({ prisma, mail: target.mail, clock: () => new Date(clockTime), events: createLocalEventBus() })
  const conversationIds: (number | undefined)[] = STORIES.map(() => undefined)
  const customerIds: (number | undefined)[] = STORIES.map(() => undefined)
  const tagIds = new Map((await prisma.tag.findMany({ where: { name: { in: DEMO_TAGS.map((t) => t.name) } } })).map((t) => [t.name, t.id]))
  let outboxMark = (await prisma.outboxEmail.aggregate({ _max: { id: true } }))._max.id ?? 0

  log(`timeline… ${timeline.length} steps`)
  let started = 0
  for (const [n, step] of timeline.entries()) {
    clockTime = step.at
    const story = STORIES[step.story]!
    const a = step.action
    const conversationId = conversationIds[step.story]!
    const agent = (key: AgentKey) => cast.agents.get(key)!
    switch (a.kind) {
      case 'start': {
        const customer = DEMO_CUSTOMERS[story.customer]
        const r = await startCustomerConversation(ctx, SYSTEM, {
          customerEmail: customer.email,
          customerName: customer.name,
          subject: story.subject,
          folderId: cast.folders.get(story.folder)!,
          channel: a.channel,
          text: a.text,
          // As the contact page and inbound mail do for a person (not a robot) writing in.
          acknowledge: true,
        })
        conversationIds[step.story] = r.conversation.id
        customerIds[step.story] = r.customer.id
        break
      }
      case 'create': {
        const customer = DEMO_CUSTOMERS[story.customer]
        const r = await createConversation(ctx, agent(a.by), {
          customerEmail: customer.email,
          customerName: customer.name,
          subject: story.subject,
          folderId: cast.folders.get(story.folder)!,
          mode: a.mode,
          text: a.text,
        })
        conversationIds[step.story] = r.conversation.id
        customerIds[step.story] = r.conversation.customerId
        break
      }
      case 'customer': {
        const r = await addCustomerMessage(ctx, asCustomer(customerIds[step.story]!), { conversationId, text: a.text })
        if (r.followUpOf !== null) throw new Error(`demo story "${story.subject}": the customer's message started a follow-up instead of reopening`)
        break
      }
      case 'reply':
        await replyAsAgent(ctx, agent(a.by), { conversationId, text: a.text, ...(a.close ? { statusAfter: 'closed' as const } : {}) })
        break
      case 'note':
        await addInternalComment(ctx, agent(a.by), { conversationId, text: a.text })
        break
      case 'assign':
        await assignConversation(ctx, agent(a.by), { conversationId, assigneeId: a.to === null ? null : agent(a.to).id })
        break
      case 'tag':
        await (a.remove ? removeTag : addTag)(ctx, agent(a.by), { conversationId, tagId: tagIds.get(a.tag)! })
        break
      case 'move':
        await moveConversation(ctx, agent(a.by), { conversationId, folderId: cast.folders.get(a.folder)! })
        break
      case 'status':
        await setConversationStatus(ctx, agent(a.by), { conversationId, status: a.to })
        break
      case 'answer':
        await recordCustomerAnswer(ctx, asCustomer(customerIds[step.story]!), { conversationId, answer: a.answer })
        break
      case 'sweep':
        await runLifecycleSweep(ctx, SYSTEM)
        break
    }
    outboxMark = await settleOutbox(prisma, outboxMark, conversationIds, new Date(step.at))
    if (a.kind === 'start' || a.kind === 'create') {
      started++
      if (started % 10 === 0 || started === STORIES.length) log(`conversations ${started}/${STORIES.length}`)
    }
    if ((n + 1) % 50 === 0 || n + 1 === timeline.length) log(`steps ${n + 1}/${timeline.length}`)
  }
  await ctx.events.close()

  // Each story says how it ends; a different status means the story and the rules disagree.
  const ids = conversationIds.filter((id): id is number => id !== undefined)
  const ended = new Map((await prisma.conversation.findMany({ where: { id: { in: ids } }, select: { id: true, status: true } })).map((c) => [c.id, c.status]))
  STORIES.forEach((story, i) => {
    const status = ended.get(conversationIds[i]!)
    if (status !== story.ends) throw new Error(`demo story "${story.subject}" ended ${status}, expected ${story.ends}`)
  })

  const [messages, historyEvents] = await Promise.all([
    prisma.message.count({ where: { conversationId: { in: ids } } }),
    prisma.historyEvent.count({ where: { conversationId: { in: ids } } }),
  ])
  log(`history… done (${messages} messages, ${historyEvents} events)`)
  return {
    admin: cast.admin,
    agents: DEMO_AGENTS.length,
    folders: cast.folders.size,
    tags: DEMO_TAGS.length,
    customers: Object.keys(DEMO_CUSTOMERS).length,
    conversations: ids.length,
    messages,
    historyEvents,
  }
}

/**
 * The e-mails the last step put in the outbox (replies, notifications, confirmations, reminders,
 * closing notes) belong to a past that never happened: they are stamped with that step's moment
 * and recorded as sent, so the outbox shows what the customer was sent but the delivery worker
 * never picks them up. Only the demo's own conversations are touched.
 */
async function settleOutbox(prisma: Prisma, mark: number, conversationIds: (number | undefined)[], at: Date): Promise<number> {
  const ids = conversationIds.filter((id): id is number => id !== undefined)
  const settled = await prisma.$queryRaw<{ id: number }[]>`
    UPDATE outbox_emails SET status = 'sent', "sentAt" = ${at}, "createdAt" = ${at}, "nextAttemptAt" = ${at}
    WHERE id > ${mark} AND status = 'queued' AND "conversationId" = ANY(${ids}::int[])
    RETURNING id`
  return Math.max(mark, ...settled.map((r) => r.id))
}

interface Cast {
  admin: SeedDemoResult['admin']
  agents: Map<AgentKey, Actor>
  folders: Map<FolderKey, number>
}

async function setUpCast(tx: Tx, hashes: Map<string, string>, setupTime: Date, timeline: PlannedStep[], log: (line: string) => void): Promise<Cast> {
  // Administrator
  let adminCreated: SeedDemoResult['admin'] = null
  let admin = await tx.agent.findFirst({ where: { role: 'admin', active: true }, orderBy: { id: 'asc' } })
  if (!admin) {
    const existing = await tx.agent.findUnique({ where: { email: DEMO_ADMIN_EMAIL } })
    admin = existing
      ? await tx.agent.update({
          where: { id: existing.id },
          data: { role: 'admin', active: true, deactivatedAt: null, passwordHash: hashes.get(DEMO_ADMIN_EMAIL)! },
        })
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
  const agents = new Map<AgentKey, Actor>()
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
    agents.set(a.key, { id: agent.id, name: agent.name, email: agent.email, role: agent.role })
  }
  log(`agents… done (${agentsCreated} created)`)

  // Folders
  const folders = new Map<FolderKey, number>()
  folders.set('general', (await ensureDefaultFolder(tx)).id)
  let position = ((await tx.folder.aggregate({ _max: { position: true } }))._max.position ?? 0) + 1
  let foldersCreated = 0
  for (const f of DEMO_FOLDERS) {
    let folder = await tx.folder.findUnique({ where: { name: f.name } })
    if (!folder) {
      const addressTaken = (await tx.folder.findUnique({ where: { inboundAddress: f.inboundAddress } })) !== null
      folder = await tx.folder.create({ data: { name: f.name, position: position++, inboundAddress: addressTaken ? null : f.inboundAddress } })
      foldersCreated++
    }
    folders.set(f.key, folder.id)
  }
  await tx.folderMember.createMany({
    data: DEMO_AGENTS.flatMap((a) => a.folders.map((f) => ({ agentId: agents.get(a.key)!.id, folderId: folders.get(f)! }))),
    skipDuplicates: true,
  })
  log(`folders… done (${foldersCreated} created, memberships set)`)

  // Tags
  for (const t of DEMO_TAGS) await tx.tag.upsert({ where: { name: t.name }, update: {}, create: { name: t.name, colour: t.colour } })
  log(`tags… done (${DEMO_TAGS.length})`)

  // Customers, each on file a moment before their first conversation
  const firstContact = new Map<CustomerKey, number>()
  for (const step of timeline) {
    const key = STORIES[step.story]!.customer
    if (!firstContact.has(key)) firstContact.set(key, step.at)
  }
  await tx.customer.createMany({
    data: Object.entries(DEMO_CUSTOMERS).map(([key, c]) => ({
      name: c.name,
      email: c.email,
      createdAt: new Date((firstContact.get(key as CustomerKey) ?? setupTime.getTime()) - 1000),
    })),
    skipDuplicates: true,
  })
  log(`customers… done (${Object.keys(DEMO_CUSTOMERS).length})`)

  await recordAdminEvent(tx, { type: 'demo.seeded', agentId: admin.id, at: new Date(), target: { type: 'demo' }, data: { conversations: STORIES.length } })
  return { admin: adminCreated, agents, folders }
}

async function auditAgentCreated(tx: Tx, actorId: number, agentId: number, role: 'admin' | 'agent') {
  await recordAdminEvent(tx, { type: 'agent.created', agentId: actorId, at: new Date(), target: { type: 'agent', id: agentId }, data: { role, demo: true } })
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
    // The same addresses and signing secret as the app, so reply addresses and status-page links
    // in the demo's e-mails work once it starts.
    const secret = await instanceSecret(db.prisma, config.sessionSecret)
    const mail: MailContext = { publicUrl: config.publicUrl, mailDomain: mailDomainOf(config.mailFrom), supportAddress: bareAddress(config.mailFrom), secret }
    const result = await seedDemo({ prisma: db.prisma, mail })
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
