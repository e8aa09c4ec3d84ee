import { bucketOf } from './buckets.ts'
import { monthOf, weekOf } from './periods.ts'

/**
 * What one conversation adds to the report rollups, computed from its events alone (plus where
 * it is filed now). The rollups are the sum of every conversation's contribution; a change to a
 * conversation takes its stored contribution back out and adds the new one, so moves, tag
 * changes, withdrawn replies, reopenings and changed ratings never count twice.
 *
 * Attribution, as teams read it:
 * - folder and tags: where the conversation is now (a conversation moved to Billing counts in
 *   Billing, for its whole past);
 * - each figure on the folder-local day it happened, to the agent who did it: replies and the first
 *   response to their author, closings and the resolution to the assignee at that moment (else the
 *   agent who closed), new conversations, customer messages, reminders and ratings to the assignee
 *   at that moment (0: nobody);
 * - a conversation is resolved once, at its last closing, if it is closed now; every closing counts
 *   in "closed".
 */

/** The columns of report_daily after its key, in this order in every vector. */
export const DAILY_COLUMNS = [
  'created',
  'customerMessages',
  'replies',
  'closed',
  'firstResponses',
  'firstResponseSeconds',
  'firstResponseBusinessSeconds',
  'resolutions',
  'resolutionSeconds',
  'resolutionBusinessSeconds',
  'resolutionReplies',
  'ratingsGreat',
  'ratingsOkay',
  'ratingsBad',
  'remindersSent',
  'remindersSolved',
  'remindersNotSolved',
  'autoClosed',
] as const

export type DailyColumn = (typeof DAILY_COLUMNS)[number]

const COLUMN = Object.fromEntries(DAILY_COLUMNS.map((c, i) => [c, i])) as Record<DailyColumn, number>

/** report_hours' columns: customer messages in each UTC hour (h0 from midnight UTC) of a day. */
export const HOUR_COLUMNS = Array.from({ length: 24 }, (_, h) => `h${h}`)

export const METRIC = { firstResponse: 1, firstResponseBusiness: 2, resolution: 3, resolutionBusiness: 4 } as const

/** Stored as JSON in report_conversations: compact, since there is one per conversation. */
export interface Contribution {
  /** Folder and tags it was counted under. */
  f: number
  t: number[]
  /** "day|agent" → a vector of DAILY_COLUMNS. */
  d: Record<string, number[]>
  /** "day|agent|metric|bucket" → count. */
  u: Record<string, number>
  /** Hour (seconds since 1970 / 3600) → customer messages. */
  h: Record<string, number>
}

export interface ContributionEvent {
  type: string
  createdAt: Date
  actorAgentId: number | null
  data: Record<string, unknown>
}

/** The folder's calendar: its local day of an instant, and the business seconds between two. */
export interface FolderClock {
  day(at: Date): string
  businessSeconds(from: Date, to: Date): number
}

const HOUR_MS = 3_600_000

/** Events in the order they happened (position order). */
export function contributionOf(events: readonly ContributionEvent[], where: { folderId: number; tagIds: number[] }, clock: FolderClock): Contribution {
  const out: Contribution = { f: where.folderId, t: [...where.tagIds].sort((a, b) => a - b), d: {}, u: {}, h: {} }
  const add = (at: Date, agentId: number, column: DailyColumn, value = 1) => {
    const key = `${clock.day(at)}|${agentId}`
    const vector = (out.d[key] ??= new Array<number>(DAILY_COLUMNS.length).fill(0))
    const i = COLUMN[column]
    vector[i] = vector[i]! + value
  }
  const duration = (at: Date, agentId: number, metric: number, seconds: number) => {
    const key = `${clock.day(at)}|${agentId}|${metric}|${bucketOf(seconds)}`
    out.u[key] = (out.u[key] ?? 0) + 1
  }
  const customerMessage = (at: Date, agentId: number) => {
    add(at, agentId, 'customerMessages')
    const hour = String(Math.floor(at.getTime() / HOUR_MS))
    out.h[hour] = (out.h[hour] ?? 0) + 1
  }

  const withdrawn = new Set<string>()
  for (const e of events) if (e.type === 'reply.withdrawn' && e.data.messageId != null) withdrawn.add(String(e.data.messageId))

  let assignee = 0
  let createdAt: Date | null = null
  let firstCustomerAt: Date | null = null
  let startedByAgent = false
  let responded = false
  let replies = 0
  let lastClose: { at: Date; agentId: number; replies: number } | null = null
  let rating: { value: string; at: Date; agentId: number } | null = null

  const reply = (at: Date, agentId: number) => {
    replies++
    add(at, agentId, 'replies')
    if (firstCustomerAt && !startedByAgent && !responded) {
      responded = true
      const seconds = Math.max(0, Math.round((at.getTime() - firstCustomerAt.getTime()) / 1000))
      const business = Math.round(clock.businessSeconds(firstCustomerAt, at))
      add(at, agentId, 'firstResponses')
      add(at, agentId, 'firstResponseSeconds', seconds)
      add(at, agentId, 'firstResponseBusinessSeconds', business)
      duration(at, agentId, METRIC.firstResponse, seconds)
      duration(at, agentId, METRIC.firstResponseBusiness, business)
    }
  }

  for (const e of events) {
    const at = e.createdAt
    switch (e.type) {
      case 'conversation.created': {
        createdAt ??= at
        add(at, assignee, 'created')
        const data = e.data
        if (data.mode === 'send') {
          // The agent wrote first: a reply, and no first response to measure.
          startedByAgent = true
          reply(at, e.actorAgentId ?? 0)
        } else if (data.followUpOf == null || data.channel === 'agent') {
          // Its first message is the customer's (a follow-up's comes as message.received).
          if (data.channel !== 'agent' || data.mode === 'record') {
            firstCustomerAt ??= at
            customerMessage(at, assignee)
          }
        }
        break
      }
      case 'message.received':
        createdAt ??= at
        firstCustomerAt ??= at
        customerMessage(at, assignee)
        break
      case 'reply.sent':
        if (e.data.messageId != null && withdrawn.has(String(e.data.messageId))) break
        reply(at, e.actorAgentId ?? 0)
        break
      case 'conversation.assigned':
        assignee = typeof e.data.to === 'number' ? e.data.to : 0
        break
      case 'status.changed':
        if (e.data.to === 'closed') {
          const agentId = assignee || (e.actorAgentId ?? 0)
          add(at, agentId, 'closed')
          lastClose = { at, agentId, replies }
        } else if (e.data.from === 'closed') {
          lastClose = null
        }
        break
      case 'reminder.sent':
        if (e.data.skipped == null) add(at, assignee, 'remindersSent')
        break
      case 'customer.resolved':
        add(at, assignee, 'remindersSolved')
        break
      case 'customer.not_resolved':
        add(at, assignee, 'remindersNotSolved')
        break
      case 'conversation.auto_closed':
        add(at, assignee, 'autoClosed')
        break
      case 'rating.given':
        if (e.data.confirmed === true && typeof e.data.value === 'string') rating = { value: e.data.value, at, agentId: assignee }
        break
    }
  }

  if (lastClose && createdAt) {
    const { at, agentId } = lastClose
    const seconds = Math.max(0, Math.round((at.getTime() - createdAt.getTime()) / 1000))
    const business = Math.round(clock.businessSeconds(createdAt, at))
    add(at, agentId, 'resolutions')
    add(at, agentId, 'resolutionSeconds', seconds)
    add(at, agentId, 'resolutionBusinessSeconds', business)
    add(at, agentId, 'resolutionReplies', lastClose.replies)
    duration(at, agentId, METRIC.resolution, seconds)
    duration(at, agentId, METRIC.resolutionBusiness, business)
  }
  if (rating) {
    const column = rating.value === 'great' ? 'ratingsGreat' : rating.value === 'okay' ? 'ratingsOkay' : rating.value === 'bad' ? 'ratingsBad' : null
    if (column) add(rating.at, rating.agentId, column)
  }
  return out
}

/** The agent of the rows that count for the whole team, so that a report of the team reads a few rows per day. */
export const EVERY_AGENT = '-1'

/** Rows to add to the rollups, from contributions counted positively or taken back out. */
export class RollupDelta {
  /** Without weeks and months, for a rebuild, which derives them from the days at the end (deriveDurationGrains). */
  constructor(private readonly options: { weeksAndMonths: boolean } = { weeksAndMonths: true }) {}

  readonly daily = new Map<string, number[]>()
  /** Duration buckets per day, and the same per week (by its Monday) and per month (by its first day). */
  readonly durations = new Map<string, number>()
  readonly weeklyDurations = new Map<string, number>()
  readonly monthlyDurations = new Map<string, number>()
  /** "UTC day|folder|tag" → customer messages in each UTC hour of that day. */
  readonly hours = new Map<string, number[]>()

  /** Adds (sign 1) or takes out (sign -1) a contribution: under its agent and the whole team's, every conversation's and each tag's. */
  apply(c: Contribution, sign: 1 | -1) {
    const tags = [0, ...c.t]
    for (const [key, vector] of Object.entries(c.d)) {
      const day = key.slice(0, 10)
      for (const tag of tags) {
        for (const agent of [key.slice(11), EVERY_AGENT]) {
          const k = `${day}|${c.f}|${agent}|${tag}`
          const sum = this.daily.get(k) ?? new Array<number>(DAILY_COLUMNS.length).fill(0)
          for (let i = 0; i < vector.length; i++) sum[i]! += sign * vector[i]!
          this.daily.set(k, sum)
        }
      }
    }
    for (const [key, count] of Object.entries(c.u)) {
      const [day, agent, metric, bucket] = key.split('|') as [string, string, string, string]
      const grains: [Map<string, number>, string][] = [[this.durations, day]]
      if (this.options.weeksAndMonths) grains.push([this.weeklyDurations, weekOf(day)], [this.monthlyDurations, monthOf(day)])
      for (const tag of tags) {
        for (const a of [agent, EVERY_AGENT]) {
          for (const [map, start] of grains) {
            const k = `${start}|${c.f}|${a}|${tag}|${metric}|${bucket}`
            map.set(k, (map.get(k) ?? 0) + sign * count)
          }
        }
      }
    }
    for (const [hour, count] of Object.entries(c.h)) {
      const h = Number(hour)
      const day = utcDay(Math.floor(h / 24))
      const slot = h - Math.floor(h / 24) * 24
      for (const tag of tags) {
        const k = `${day}|${c.f}|${tag}`
        const sum = this.hours.get(k) ?? new Array<number>(24).fill(0)
        sum[slot]! += sign * count
        this.hours.set(k, sum)
      }
    }
  }
}

/** A day number since 1970-01-01 as "YYYY-MM-DD". */
const utcDay = (dayNumber: number) => new Date(dayNumber * 86_400_000).toISOString().slice(0, 10)
