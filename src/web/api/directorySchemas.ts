import { z } from 'zod'

/**
 * The shapes the API answers with for customers, tags, folders, agents, saved replies, reports
 * and events. Named (`.meta({ id })`) so that the OpenAPI document shares them as components.
 */

const id = z.number().int()
const when = z.iso.datetime()

export const ConversationCounts = z
  .object({ total: z.number().int(), new: z.number().int(), open: z.number().int(), pending: z.number().int(), closed: z.number().int() })
  .meta({ id: 'ConversationCounts', description: 'Conversations by status, among those the caller may read.' })

export const CustomerSummary = z
  .object({
    id,
    name: z.string(),
    email: z.string().meta({ description: 'The primary address: where replies go.' }),
    organisation: z.string(),
    blocked: z.boolean(),
    conversationCount: z.number().int().meta({ description: 'Their conversations the caller may read.' }),
    createdAt: when,
  })
  .meta({ id: 'CustomerSummary', description: 'A customer in a list.' })

export const Customer = z
  .object({
    id,
    name: z.string(),
    email: z.string().meta({ description: 'The primary address: where replies go.' }),
    organisation: z.string(),
    notes: z.string().meta({ description: 'The agents’ notes; never shown to the customer.' }),
    blocked: z.boolean().meta({ description: 'Their e-mail is held as spam and starts no conversation.' }),
    blockedAt: when.nullable(),
    undeliverable: z.boolean().meta({ description: 'Mail to the primary address bounced.' }),
    addresses: z.array(z.object({ email: z.string(), primary: z.boolean() })),
    conversations: ConversationCounts,
    createdAt: when,
  })
  .meta({ id: 'Customer', description: 'A customer, seen by the agents of the folders of their conversations (admins: all).' })

export const Tag = z.object({ id, name: z.string(), colour: z.string() }).meta({ id: 'Tag', description: 'A tag; tags belong to the whole help desk.' })

export const Folder = z
  .object({
    id,
    name: z.string(),
    inboundAddress: z.string().nullable().meta({ description: 'The address whose mail starts conversations here.' }),
    locale: z.string(),
    timeZone: z.string(),
  })
  .meta({ id: 'Folder', description: 'A folder the caller may read.' })

export const Agent = z
  .object({
    id,
    name: z.string(),
    email: z.string(),
    role: z.enum(['admin', 'agent']),
    active: z.boolean(),
    invited: z.boolean().optional().meta({ description: 'Shown to admins: has not chosen a password yet.' }),
    folderIds: z.array(id).optional().meta({ description: 'Shown to admins: the folders the agent belongs to (an admin sees every folder).' }),
  })
  .meta({ id: 'Agent', description: 'An agent. Agents see their active colleagues; admins see everyone, with folders.' })

export const SavedReplySummary = z
  .object({
    id,
    name: z.string(),
    folder: z.object({ id, name: z.string() }).nullable().meta({ description: 'null: shared with every folder.' }),
    preview: z.string().meta({ description: 'The start of its text, variables as typed.' }),
    useCount: z.number().int(),
    lastUsedAt: when.nullable(),
    canManage: z.boolean().meta({ description: 'Whether the caller may edit and delete it.' }),
  })
  .meta({ id: 'SavedReplySummary', description: 'A saved reply the caller may use.' })

export const SavedReply = SavedReplySummary.extend({
  bodyHtml: z.string().meta({ description: 'Sanitised HTML; variables such as {{customer.firstName}} are filled in when it is used.' }),
}).meta({ id: 'SavedReply', description: 'A saved reply with its text.' })

const seconds = z.number().nullable()

export const DurationSummary = z
  .object({ count: z.number().int(), median: seconds, p90: seconds, average: seconds })
  .meta({ id: 'DurationSummary', description: 'Durations in seconds: how many, median, 90th percentile and average (null when there is none).' })

const Volume = { created: z.number(), customerMessages: z.number(), replies: z.number(), closed: z.number() }

export const Satisfaction = z
  .object({
    great: z.number(),
    okay: z.number(),
    bad: z.number(),
    score: z.number().nullable().meta({ description: 'Share of great minus share of bad, -100..100; null without ratings.' }),
  })
  .meta({ id: 'Satisfaction', description: 'Customer ratings.' })

export const PeriodFigures = z
  .object({
    volume: z.object(Volume),
    firstResponse: DurationSummary,
    resolution: DurationSummary,
    repliesToResolve: z.number().nullable().meta({ description: 'Replies per resolved conversation (average).' }),
    satisfaction: Satisfaction,
    lifecycle: z.object({ remindersSent: z.number(), remindersSolved: z.number(), remindersNotSolved: z.number(), autoClosed: z.number() }),
  })
  .meta({ id: 'PeriodFigures', description: 'Everything counted over a range of days.' })

const Breakdown = z.object({ id, name: z.string(), created: z.number(), previousCreated: z.number() })

export const Report = z
  .object({
    from: z.iso.date(),
    to: z.iso.date(),
    filters: z.object({
      folderId: id.nullable(),
      agentId: id.nullable(),
      tagId: id.nullable(),
      businessHours: z.boolean(),
      interval: z.enum(['day', 'week']),
      timeZone: z.string(),
    }),
    current: PeriodFigures,
    previous: z
      .object({ from: z.iso.date(), to: z.iso.date(), figures: PeriodFigures })
      .meta({ description: 'The same number of days just before, for comparison.' }),
    volumeSeries: z.array(z.object({ start: z.iso.date(), ...Volume })).meta({ description: 'One point per day, or per week starting on that Monday.' }),
    agents: z.array(
      z.object({
        agentId: id,
        name: z.string(),
        closed: z.number(),
        replies: z.number(),
        firstResponse: DurationSummary,
        resolution: DurationSummary,
        satisfaction: Satisfaction,
      }),
    ),
    tags: z.array(Breakdown).meta({ description: 'Conversations created per tag, now and in the previous range.' }),
    folders: z.array(Breakdown).meta({ description: 'Conversations created per folder, now and in the previous range.' }),
    busiestHours: z
      .array(z.array(z.number()))
      .meta({ description: 'Customer messages by weekday (0 Monday … 6 Sunday) and hour (0–23), in `filters.timeZone`.' }),
  })
  .meta({ id: 'Report', description: 'The figures of the reports page, within the caller’s folders. Days are folder-local dates; durations are seconds.' })

export const Event = z
  .object({
    position: z.string().meta({ description: 'The event’s position in the log (a number, as a string).' }),
    type: z.string().meta({ description: 'conversation.created, reply.sent, status.changed, agent.invited …' }),
    conversation: z.object({ id, number: id }).nullable().meta({ description: 'The conversation of a conversation event.' }),
    folderId: id.nullable().meta({ description: 'The conversation’s folder after the change.' }),
    actor: z.object({ kind: z.enum(['agent', 'customer', 'system']), agentId: id.nullable() }),
    target: z
      .object({ type: z.string(), id: z.string().nullable() })
      .nullable()
      .meta({ description: 'What an administrative event changed (an agent, a folder, a tag, a setting …).' }),
    data: z.record(z.string(), z.unknown()),
    createdAt: when,
  })
  .meta({ id: 'Event', description: 'Something that happened, as the event log records it.' })

export const EventPage = z
  .object({
    items: z.array(Event),
    next: z.string().meta({ description: 'Pass as `after` to read on; when `more` is false, poll again later with it.' }),
    more: z.boolean().meta({ description: 'Whether more events can be read now.' }),
  })
  .meta({ id: 'EventPage', description: 'Events in the order they were committed.' })
