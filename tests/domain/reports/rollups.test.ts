import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { asCustomer, SYSTEM, type Actor } from '../../../src/domain/actor.ts'
import type { DomainContext } from '../../../src/domain/context.ts'
import { addCustomerMessage } from '../../../src/domain/conversations/commands/addCustomerMessage.ts'
import { assignConversation } from '../../../src/domain/conversations/commands/assignConversation.ts'
import { moveConversation } from '../../../src/domain/conversations/commands/moveConversation.ts'
import { replyAsAgent } from '../../../src/domain/conversations/commands/replyAsAgent.ts'
import { setConversationStatus } from '../../../src/domain/conversations/commands/setConversationStatus.ts'
import { startCustomerConversation } from '../../../src/domain/conversations/commands/startCustomerConversation.ts'
import { DomainError } from '../../../src/domain/errors.ts'
import { addTag, removeTag } from '../../../src/domain/conversations/commands/tagConversation.ts'
import { recordRating } from '../../../src/domain/ratings/recordRating.ts'
import { runLifecycleSweep } from '../../../src/domain/lifecycle/sweep.ts'
import { bucketOf, quantileOf } from '../../../src/domain/reports/buckets.ts'
import { DAILY_COLUMNS, METRIC } from '../../../src/domain/reports/contribution.ts'
import { folderClocks } from '../../../src/domain/reports/folderClock.ts'
import { monthOf, weekOf } from '../../../src/domain/reports/periods.ts'
import { loadReport } from '../../../src/domain/reports/report.ts'
import { rebuildReports } from '../../../src/domain/reports/rebuild.ts'
import { buildAgent, buildConversation, buildFolder, buildTag, testClock } from '../../helpers/factories.ts'
import { listenersCaughtUp } from '../../helpers/queryCounter.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'
import { mulberry32 } from '../../../tools/seededRandom.ts'

const MINUTE = 60_000

/** A small deterministic generator (mulberry32): the same seed replays the same activity. */
function random(seed: number) {
  const next = mulberry32(seed)
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    chance: (p: number) => next() < p,
  }
}

type Row = Record<string, number>
const add = (map: Map<string, Row>, key: string, column: string, value = 1) => {
  const row = map.get(key) ?? {}
  row[column] = (row[column] ?? 0) + value
  map.set(key, row)
}
/** Drops zero cells and empty rows, so two maps compare by what they count. */
const normalised = (map: Map<string, Row>) =>
  Object.fromEntries(
    [...map.entries()]
      .map(([k, row]) => [k, Object.fromEntries(Object.entries(row).filter(([, v]) => v !== 0))] as const)
      .filter(([, row]) => Object.keys(row).length)
      .sort(([a], [b]) => a.localeCompare(b)),
  )

describe('report rollups', () => {
  const time = testClock(new Date('2027-03-20T08:00:00Z'))
  let app: TestApp
  let ctx: DomainContext
  const folders: { id: number; agents: Actor[] }[] = []
  const tags: number[] = []

  beforeAll(async () => {
    app = await startTestApp({}, { clock: time.clock })
    ctx = app.ctx.domain
    const paris = await buildFolder(ctx.prisma, 'Paris desk')
    const york = await buildFolder(ctx.prisma, 'New York desk')
    // Both sides of a daylight-saving change fall in the activity (Europe 28 March, America 14 March).
    const nineToSix: [string, string][] = [
      ['09:00', '12:30'],
      ['13:30', '18:00'],
    ]
    const businessHours = {
      week: { mon: nineToSix, tue: nineToSix, wed: nineToSix, thu: nineToSix, fri: nineToSix, sat: [], sun: [] },
      holidays: ['2027-04-05', '2027-05-01'],
    }
    await ctx.prisma.folder.update({ where: { id: paris.id }, data: { timeZone: 'Europe/Paris', businessHours } })
    await ctx.prisma.folder.update({ where: { id: york.id }, data: { timeZone: 'America/New_York' } })
    const ada = await buildAgent(ctx.prisma, { name: 'Ada', folderIds: [paris.id, york.id] })
    const bob = await buildAgent(ctx.prisma, { name: 'Bob', folderIds: [paris.id] })
    const cy = await buildAgent(ctx.prisma, { name: 'Cy', folderIds: [york.id] })
    folders.push({ id: paris.id, agents: [ada, bob] }, { id: york.id, agents: [ada, cy] })
    for (const name of ['billing', 'bug', 'vip']) tags.push((await buildTag(ctx.prisma, name)).id)
  })
  afterAll(async () => {
    await app?.close()
  })

  /** Random activity through the real commands, time moving on between steps. */
  async function play(seed: number, steps: number) {
    const r = random(seed)
    const open: number[] = []
    for (let step = 0; step < steps; step++) {
      time.advance(r.chance(0.15) ? r.int(1, 3) * 24 * 60 * MINUTE : r.int(1, 240) * MINUTE)
      const id = open.length ? r.pick(open) : null
      const conversation = id ? await ctx.prisma.conversation.findUniqueOrThrow({ where: { id } }) : null
      const folder = folders.find((f) => f.id === conversation?.folderId) ?? folders[0]!
      const agent = r.pick(folder.agents)
      const roll = r.next()
      try {
        if (!conversation || roll < 0.2) {
          const target = r.pick(folders)
          const started = await startCustomerConversation(ctx, SYSTEM, {
            customerEmail: `customer-${r.int(1, 8)}@example.com`,
            subject: `Question ${step}`,
            folderId: target.id,
            channel: r.chance(0.8) ? 'email' : 'portal',
            text: 'Hello, I need help with my order.',
            acknowledge: false,
          })
          open.push(started.conversation.id)
        } else if (roll < 0.25) {
          const created = await buildConversation(ctx, agent, {
            folderId: folder.id,
            mode: r.chance(0.5) ? 'send' : 'record',
            customerEmail: 'phone@example.com',
          })
          open.push(created.id)
        } else if (roll < 0.45) {
          await replyAsAgent(ctx, agent, { conversationId: conversation.id, text: 'Here is what we found.' })
        } else if (roll < 0.6) {
          await addCustomerMessage(ctx, asCustomer(conversation.customerId), { conversationId: conversation.id, text: 'Thanks, one more thing.' })
        } else if (roll < 0.68) {
          await assignConversation(ctx, agent, { conversationId: conversation.id, assigneeId: r.chance(0.2) ? null : r.pick(folder.agents).id })
        } else if (roll < 0.73) {
          const other = folders.find((f) => f.id !== folder.id)!
          await moveConversation(ctx, folders[0]!.agents[0]!, { conversationId: conversation.id, folderId: other.id })
        } else if (roll < 0.8) {
          await (r.chance(0.7) ? addTag : removeTag)(ctx, agent, { conversationId: conversation.id, tagId: r.pick(tags) })
        } else if (roll < 0.9) {
          await setConversationStatus(ctx, agent, { conversationId: conversation.id, status: 'closed' })
        } else if (roll < 0.93) {
          await recordRating(ctx, asCustomer(conversation.customerId), {
            conversationId: conversation.id,
            value: r.pick(['great', 'okay', 'bad'] as const),
            confirmed: r.chance(0.7),
          })
        } else if (roll < 0.96) {
          await setConversationStatus(ctx, agent, { conversationId: conversation.id, status: r.pick(['open', 'pending'] as const) })
        } else {
          await runLifecycleSweep(ctx, SYSTEM)
        }
      } catch (err) {
        // A step the rules refuse (an agent no longer in the folder, a reply to a closed conversation …) is part of real life.
        if (!(err instanceof DomainError)) throw err
      }
    }
  }

  /** The rollups as stored, for the every-agent and every-tag views the direct computation makes. */
  async function fromRollups() {
    const p = ctx.prisma
    const daily = new Map<string, Row>()
    const team = new Map<string, Row>()
    const agents = new Map<string, Row>()
    for (const row of await p.$queryRawUnsafe<Record<string, unknown>[]>(`SELECT *, day::text AS "dayText" FROM report_daily`)) {
      // The whole team's rows are the sums of the agents' rows.
      for (const c of DAILY_COLUMNS) add(row.agentId === -1 ? team : agents, `${row.dayText}|${row.folderId}|${row.tagId}`, c, Number(row[c]))
      if (row.agentId === -1) continue
      for (const c of DAILY_COLUMNS) {
        if (c === 'customerMessages' || c === 'created') add(daily, `${row.dayText}|${row.folderId}|*|${row.tagId}`, c, Number(row[c]))
        else if (row.tagId === 0) add(daily, `${row.dayText}|${row.folderId}|${row.agentId}|0`, c, Number(row[c]))
      }
    }
    const durations = new Map<string, Row>()
    for (const row of await p.$queryRawUnsafe<{ day: string; folderId: number; metric: number; bucket: number; count: number }[]>(
      `SELECT day::text AS day, "folderId", metric, bucket, count FROM report_durations WHERE "agentId" = -1 AND "tagId" = 0`,
    )) {
      add(durations, `${row.day}|${row.folderId}|${row.metric}`, String(row.bucket), row.count)
    }
    const hourly = new Map<string, Row>()
    for (const row of await p.$queryRawUnsafe<Record<string, unknown>[]>(`SELECT *, day::text AS "dayText" FROM report_hours WHERE "tagId" = 0`)) {
      for (let h = 0; h < 24; h++) {
        const hour = new Date(Date.parse(`${String(row.dayText)}T00:00:00Z`) + h * 3_600_000).toISOString()
        add(hourly, `${hour}|${row.folderId}`, 'messages', Number(row[`h${h}`]))
      }
    }
    expect(normalised(team)).toEqual(normalised(agents))
    // Weeks and months hold the sums of their days, for every agent and tag.
    const byGrain = { week: new Map<string, Row>(), month: new Map<string, Row>() }
    for (const row of await p.$queryRawUnsafe<
      { day: string; folderId: number; agentId: number; tagId: number; metric: number; bucket: number; count: number }[]
    >(`SELECT day::text AS day, "folderId", "agentId", "tagId", metric, bucket, count FROM report_durations`)) {
      const key = (start: string) => `${start}|${row.folderId}|${row.agentId}|${row.tagId}|${row.metric}`
      add(byGrain.week, key(weekOf(row.day)), String(row.bucket), row.count)
      add(byGrain.month, key(monthOf(row.day)), String(row.bucket), row.count)
    }
    for (const [grain, table] of [
      ['week', 'report_durations_weekly'],
      ['month', 'report_durations_monthly'],
    ] as const) {
      const stored = new Map<string, Row>()
      for (const row of await p.$queryRawUnsafe<
        { day: string; folderId: number; agentId: number; tagId: number; metric: number; bucket: number; count: number }[]
      >(`SELECT day::text AS day, "folderId", "agentId", "tagId", metric, bucket, count FROM ${table}`)) {
        add(stored, `${row.day}|${row.folderId}|${row.agentId}|${row.tagId}|${row.metric}`, String(row.bucket), row.count)
      }
      expect(normalised(stored)).toEqual(normalised(byGrain[grain]))
    }
    return { daily: normalised(daily), durations: normalised(durations), hourly: normalised(hourly) }
  }

  /**
   * The same figures computed straight from the conversations, their messages and their status
   * changes, without the rollups: customer and agent messages from the messages table, the
   * assignee of the moment from the assignment events before each change.
   */
  async function direct() {
    const p = ctx.prisma
    const clocks = await folderClocks(p)
    const daily = new Map<string, Row>()
    const durations = new Map<string, Row>()
    const hourly = new Map<string, Row>()
    const conversations = await p.$queryRawUnsafe<{ id: number; folderId: number; status: string; tagIds: number[]; createdAt: Date }[]>(
      `SELECT c.id, c."folderId", c.status::text AS status, c."createdAt",
              COALESCE(array_agg(t."tagId") FILTER (WHERE t."tagId" IS NOT NULL), '{}') AS "tagIds"
       FROM conversations c LEFT JOIN conversation_tags t ON t."conversationId" = c.id GROUP BY c.id`,
    )
    const messages = await p.$queryRawUnsafe<{ conversationId: number; kind: string; authorAgentId: number | null; createdAt: Date }[]>(
      `SELECT "conversationId", kind::text AS kind, "authorAgentId", "createdAt" FROM messages
       WHERE kind IN ('customer', 'agent') AND NOT "isAutoReply" ORDER BY "conversationId", id`,
    )
    const changes = await p.$queryRawUnsafe<
      { conversationId: number; type: string; to: string | null; actorAgentId: number | null; assignee: number; createdAt: Date; skipped: boolean }[]
    >(
      `SELECT e."conversationId", e.type, e.data->>'to' AS "to", e."actorAgentId", e."createdAt", e.data ? 'skipped' AS skipped,
              COALESCE((SELECT (a.data->>'to')::int FROM events a WHERE a."conversationId" = e."conversationId" AND a.type = 'conversation.assigned'
                        AND a.position < e.position ORDER BY a.position DESC LIMIT 1), 0) AS assignee
       FROM events e WHERE e.type IN ('status.changed', 'reminder.sent', 'customer.resolved', 'customer.not_resolved', 'conversation.auto_closed', 'conversation.created')
       ORDER BY e."conversationId", e.position`,
    )
    // The rating a conversation has now, if confirmed, on the day it was last given, to the assignee of that moment.
    const ratings = await p.$queryRawUnsafe<{ conversationId: number; value: string; at: Date; assignee: number }[]>(
      `SELECT r."conversationId", r.value::text AS value, e."createdAt" AS at,
              COALESCE((SELECT (a.data->>'to')::int FROM events a WHERE a."conversationId" = e."conversationId" AND a.type = 'conversation.assigned'
                        AND a.position < e.position ORDER BY a.position DESC LIMIT 1), 0) AS assignee
       FROM ratings r
       JOIN LATERAL (SELECT * FROM events e WHERE e."conversationId" = r."conversationId" AND e.type = 'rating.given' AND (e.data->>'confirmed')::boolean
                     ORDER BY e.position DESC LIMIT 1) e ON true
       WHERE r.confirmed`,
    )
    for (const c of conversations) {
      const clock = clocks.get(c.folderId)!
      const day = (at: Date) => clock.day(at)
      const own = messages.filter((m) => m.conversationId === c.id)
      const created = changes.find((e) => e.conversationId === c.id && e.type === 'conversation.created')!
      for (const tag of [0, ...c.tagIds]) add(daily, `${day(created.createdAt)}|${c.folderId}|*|${tag}`, 'created')
      for (const m of own) {
        if (m.kind === 'customer') {
          for (const tag of [0, ...c.tagIds]) add(daily, `${day(m.createdAt)}|${c.folderId}|*|${tag}`, 'customerMessages')
          const hour = new Date(Math.floor(m.createdAt.getTime() / 3_600_000) * 3_600_000).toISOString()
          add(hourly, `${hour}|${c.folderId}`, 'messages')
        } else {
          add(daily, `${day(m.createdAt)}|${c.folderId}|${m.authorAgentId ?? 0}|0`, 'replies')
        }
      }
      // First response: the first agent message after a first message that was the customer's.
      if (own[0]?.kind === 'customer') {
        const reply = own.find((m) => m.kind === 'agent')
        if (reply) {
          const seconds = Math.round((reply.createdAt.getTime() - own[0].createdAt.getTime()) / 1000)
          const business = Math.round(clock.businessSeconds(own[0].createdAt, reply.createdAt))
          const key = `${day(reply.createdAt)}|${c.folderId}|${reply.authorAgentId ?? 0}|0`
          add(daily, key, 'firstResponses')
          add(daily, key, 'firstResponseSeconds', seconds)
          add(daily, key, 'firstResponseBusinessSeconds', business)
          add(durations, `${day(reply.createdAt)}|${c.folderId}|${METRIC.firstResponse}`, String(bucketOf(seconds)))
          add(durations, `${day(reply.createdAt)}|${c.folderId}|${METRIC.firstResponseBusiness}`, String(bucketOf(business)))
        }
      }
      const own_changes = changes.filter((e) => e.conversationId === c.id)
      let lastClose: (typeof own_changes)[number] | null = null
      for (const e of own_changes) {
        const agentKey = (who: number) => `${day(e.createdAt)}|${c.folderId}|${who}|0`
        if (e.type === 'status.changed' && e.to === 'closed') {
          add(daily, agentKey(e.assignee || (e.actorAgentId ?? 0)), 'closed')
          lastClose = e
        }
        if (e.type === 'reminder.sent' && !e.skipped) add(daily, agentKey(e.assignee), 'remindersSent')
        if (e.type === 'customer.resolved') add(daily, agentKey(e.assignee), 'remindersSolved')
        if (e.type === 'customer.not_resolved') add(daily, agentKey(e.assignee), 'remindersNotSolved')
        if (e.type === 'conversation.auto_closed') add(daily, agentKey(e.assignee), 'autoClosed')
      }
      const rated = ratings.find((x) => x.conversationId === c.id)
      if (rated)
        add(daily, `${day(rated.at)}|${c.folderId}|${rated.assignee}|0`, { great: 'ratingsGreat', okay: 'ratingsOkay', bad: 'ratingsBad' }[rated.value]!)
      if (c.status === 'closed' && lastClose) {
        const seconds = Math.round((lastClose.createdAt.getTime() - created.createdAt.getTime()) / 1000)
        const business = Math.round(clock.businessSeconds(created.createdAt, lastClose.createdAt))
        const key = `${day(lastClose.createdAt)}|${c.folderId}|${lastClose.assignee || (lastClose.actorAgentId ?? 0)}|0`
        add(daily, key, 'resolutions')
        add(daily, key, 'resolutionSeconds', seconds)
        add(daily, key, 'resolutionBusinessSeconds', business)
        add(daily, key, 'resolutionReplies', own.filter((m) => m.kind === 'agent' && m.createdAt <= lastClose.createdAt).length)
        add(durations, `${day(lastClose.createdAt)}|${c.folderId}|${METRIC.resolution}`, String(bucketOf(seconds)))
        add(durations, `${day(lastClose.createdAt)}|${c.folderId}|${METRIC.resolutionBusiness}`, String(bucketOf(business)))
      }
    }
    return { daily: normalised(daily), durations: normalised(durations), hourly: normalised(hourly) }
  }

  it('kept by the listener from randomised activity, they equal a direct computation and a rebuild from the log', async () => {
    await play(19, 260)
    await listenersCaughtUp(app.ctx.db.pool, 30_000)
    const expected = await direct()
    const kept = await fromRollups()
    expect(Object.keys(expected.daily).length).toBeGreaterThan(20)
    // The business hours of the Paris desk count less than the clock.
    let all = 0
    let business = 0
    let ratings = 0
    for (const row of Object.values(expected.daily)) {
      all += row.resolutionSeconds ?? 0
      business += row.resolutionBusinessSeconds ?? 0
      ratings += (row.ratingsGreat ?? 0) + (row.ratingsOkay ?? 0) + (row.ratingsBad ?? 0)
    }
    const sums = { all, business }
    expect(ratings).toBeGreaterThan(0)
    expect(sums.business).toBeGreaterThan(0)
    expect(sums.business).toBeLessThan(sums.all)
    expect(kept.daily).toEqual(expected.daily)
    expect(kept.durations).toEqual(expected.durations)
    expect(kept.hourly).toEqual(expected.hourly)

    const rebuilt = await rebuildReports(app.ctx.db.pool)
    expect(rebuilt.conversations).toBe(await ctx.prisma.conversation.count())
    expect(await fromRollups()).toEqual(kept)

    // After the rebuild the listener goes on from where the rebuild stood, and counts new activity once.
    await play(20, 60)
    await listenersCaughtUp(app.ctx.db.pool, 30_000)
    expect(await fromRollups()).toEqual(await direct())
  }, 240_000)

  it('reads into a report: totals of the range, the period before, and only the folders the viewer may read', async () => {
    await listenersCaughtUp(app.ctx.db.pool, 30_000)
    const computed = await direct()
    const expected = computed.daily
    const total = (column: string, from: string, to: string, folderId?: number) =>
      Object.entries(expected)
        .filter(([key]) => key.slice(0, 10) >= from && key.slice(0, 10) <= to && (folderId === undefined || key.split('|')[1] === String(folderId)))
        .filter(([key]) => (column === 'created' || column === 'customerMessages' ? key.split('|')[2] === '*' : key.split('|')[2] !== '*'))
        .filter(([key]) => key.endsWith('|0'))
        .reduce((sum, [, row]) => sum + (row[column] ?? 0), 0)
    const filters = {
      from: '2027-04-01',
      to: '2027-05-15',
      folderId: null,
      agentId: null,
      tagId: null,
      businessHours: false,
      interval: 'week' as const,
      timeZone: 'Europe/Paris',
    }
    const admin = await buildAgent(ctx.prisma, { role: 'admin' })
    const report = await loadReport(ctx.prisma, admin, filters)
    expect(report.previous).toEqual({ from: '2027-02-15', to: '2027-03-31' })
    for (const column of ['created', 'customerMessages', 'replies', 'closed'] as const) {
      expect(report.current.volume[column]).toBe(total(column, filters.from, filters.to))
      expect(report.before.volume[column]).toBe(total(column, report.previous.from, report.previous.to))
    }
    expect(report.current.volume.created).toBeGreaterThan(0)
    expect(report.volumeSeries.reduce((sum, p) => sum + p.replies, 0)).toBe(report.current.volume.replies)
    expect(report.current.firstResponse.count).toBe(total('firstResponses', filters.from, filters.to))
    expect(report.busiestHours.flat().reduce((a, b) => a + b, 0)).toBeGreaterThan(0)

    // Medians and 90th percentiles, read from whole months, weeks and days, are those of the days' buckets.
    const histogram = (metric: number, from: string, to: string) => {
      const out = new Map<number, number>()
      for (const [key, row] of Object.entries(computed.durations)) {
        const [day, , m] = key.split('|')
        if (day! < from || day! > to || Number(m) !== metric) continue
        for (const [bucket, n] of Object.entries(row)) out.set(Number(bucket), (out.get(Number(bucket)) ?? 0) + n)
      }
      return out
    }
    for (const [period, figures] of [
      [filters, report.current],
      [report.previous, report.before],
    ] as const) {
      const first = histogram(METRIC.firstResponse, period.from, period.to)
      const resolution = histogram(METRIC.resolution, period.from, period.to)
      expect([figures.firstResponse.median, figures.firstResponse.p90]).toEqual([quantileOf(first, 0.5), quantileOf(first, 0.9)])
      expect([figures.resolution.median, figures.resolution.p90]).toEqual([quantileOf(resolution, 0.5), quantileOf(resolution, 0.9)])
    }
    expect(report.current.resolution.median).not.toBeNull()

    // The busiest hours over both changes of clocks, in three viewers' zones (one half an hour off UTC),
    // placed as PostgreSQL places each UTC hour of the messages.
    const perHour = new Map<string, number>()
    for (const [key, row] of Object.entries(computed.hourly)) perHour.set(key.split('|')[0]!, (perHour.get(key.split('|')[0]!) ?? 0) + (row.messages ?? 0))
    const seasons = { ...filters, from: '2027-03-01', to: '2027-06-30' }
    for (const timeZone of ['Europe/Paris', 'Asia/Kolkata', 'America/New_York']) {
      const placed = await ctx.prisma.$queryRawUnsafe<{ hour: string; weekday: number; local: number }[]>(
        `SELECT h AS hour, (extract(isodow FROM h::timestamptz AT TIME ZONE $2) - 1)::int AS weekday, extract(hour FROM h::timestamptz AT TIME ZONE $2)::int AS local
         FROM unnest($1::text[]) AS h
         WHERE h::timestamptz >= ($3::date::timestamp AT TIME ZONE $2) AND h::timestamptz < (($4::date + 1)::timestamp AT TIME ZONE $2)`,
        [...perHour.keys()],
        timeZone,
        seasons.from,
        seasons.to,
      )
      const grid = Array.from({ length: 7 }, () => new Array<number>(24).fill(0))
      for (const p of placed) grid[p.weekday]![p.local]! += perHour.get(p.hour)!
      const seen = await loadReport(ctx.prisma, admin, { ...seasons, timeZone })
      expect(seen.busiestHours).toEqual(grid)
      expect(grid.flat().reduce((a, b) => a + b, 0)).toBeGreaterThan(0)
    }

    // Bob works in the Paris desk only: his report is the Paris desk's, and asking for New York gives nothing.
    const bob = folders[0]!.agents[1]!
    const paris = folders[0]!.id
    const york = folders[1]!.id
    const his = await loadReport(ctx.prisma, bob, filters)
    expect(his.current.volume.created).toBe(total('created', filters.from, filters.to, paris))
    expect(his.folders.map((f) => f.id)).not.toContain(york)
    const forbidden = await loadReport(ctx.prisma, bob, { ...filters, folderId: york })
    expect(forbidden.current.volume).toEqual({ created: 0, customerMessages: 0, replies: 0, closed: 0 })
  }, 60_000)
})
