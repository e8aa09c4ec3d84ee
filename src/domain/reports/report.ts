import type { Prisma, Tx } from '../../db/database.ts'
import type { Actor } from '../actor.ts'
import { folderScope } from '../policy.ts'
import { quantileOf } from './buckets.ts'
import { busiestHoursOf } from './busiestHours.ts'
import { DAILY_COLUMNS, EVERY_AGENT, METRIC, type DailyColumn } from './contribution.ts'
import { coverOf, daysBetween, shiftDay, weekOf } from './periods.ts'
import type {
  AgentRow,
  BreakdownRow,
  DurationSummary,
  PeriodFigures,
  RatingComment,
  Report,
  ReportFilters,
  SatisfactionFigures,
  SatisfactionPoint,
  VolumePoint,
} from './types.ts'

type Db = Prisma | Tx
type Sums = Record<DailyColumn, number>

const zero = (): Sums => Object.fromEntries(DAILY_COLUMNS.map((c) => [c, 0])) as Sums

function addInto(target: Sums, row: Partial<Record<DailyColumn, unknown>>) {
  for (const c of DAILY_COLUMNS) target[c] += Number(row[c] ?? 0)
}

const SUM_COLUMNS = DAILY_COLUMNS.map((c) => `COALESCE(sum("${c}"), 0)::float8 AS "${c}"`).join(', ')

function satisfactionOf(s: Sums): SatisfactionFigures {
  const total = s.ratingsGreat + s.ratingsOkay + s.ratingsBad
  return {
    great: s.ratingsGreat,
    okay: s.ratingsOkay,
    bad: s.ratingsBad,
    score: total ? Math.round(((s.ratingsGreat - s.ratingsBad) / total) * 100) : null,
  }
}

function durationOf(histogram: Map<number, number>, count: number, seconds: number): DurationSummary {
  return {
    count,
    median: quantileOf(histogram, 0.5),
    p90: quantileOf(histogram, 0.9),
    average: count ? Math.round(seconds / count) : null,
  }
}

function figuresOf(s: Sums, firstResponse: Map<number, number>, resolution: Map<number, number>, business: boolean): PeriodFigures {
  return {
    volume: { created: s.created, customerMessages: s.customerMessages, replies: s.replies, closed: s.closed },
    firstResponse: durationOf(firstResponse, s.firstResponses, business ? s.firstResponseBusinessSeconds : s.firstResponseSeconds),
    resolution: durationOf(resolution, s.resolutions, business ? s.resolutionBusinessSeconds : s.resolutionSeconds),
    repliesToResolve: s.resolutions ? Math.round((s.resolutionReplies / s.resolutions) * 10) / 10 : null,
    satisfaction: satisfactionOf(s),
    lifecycle: { remindersSent: s.remindersSent, remindersSolved: s.remindersSolved, remindersNotSolved: s.remindersNotSolved, autoClosed: s.autoClosed },
  }
}

/**
 * The reports page's figures, from the rollups (src/domain/reports/rollups.ts), limited to the
 * folders the viewer may read. A handful of statements over a few thousand rows per month of
 * range, whatever the number of conversations.
 */
export async function loadReport(db: Db, actor: Actor, filters: ReportFilters): Promise<Report> {
  const span = daysBetween(filters.from, filters.to) + 1
  const previous = { from: shiftDay(filters.from, -span), to: shiftDay(filters.from, -1) }
  const scope = await folderScope(db, actor)
  const folders: number[] | null = filters.folderId !== null ? (scope === null || scope.includes(filters.folderId) ? [filters.folderId] : []) : scope
  const tag = filters.tagId ?? 0

  // Without an agent filter, the whole team's rows (-1) hold the sums.
  const agent = filters.agentId ?? Number(EVERY_AGENT)
  // $1 from (previous period's), $2 to, $3 tag, $4 folders or null, $5 agent.
  const params = [previous.from, filters.to, tag, folders, agent] as const
  const inRange = `day BETWEEN $1::date AND $2::date AND ($4::int[] IS NULL OR "folderId" = ANY($4::int[]))`
  const where = `"tagId" = $3 AND ${inRange} AND "agentId" = $5`
  const metrics = filters.businessHours ? [METRIC.firstResponseBusiness, METRIC.resolutionBusiness] : [METRIC.firstResponse, METRIC.resolution]

  const [days, agentSums, durations, busiestHours, tagRows, folderRows, comments] = await Promise.all([
    db.$queryRawUnsafe<({ day: string } & Record<DailyColumn, number>)[]>(
      `SELECT day::text AS day, ${SUM_COLUMNS} FROM report_daily WHERE ${where} GROUP BY day`,
      ...params,
    ),
    db.$queryRawUnsafe<({ agentId: number } & Record<DailyColumn, number>)[]>(
      `SELECT "agentId", ${SUM_COLUMNS} FROM report_daily
       WHERE "tagId" = $3 AND ${inRange} AND day >= $6::date AND ($5::int < 0 OR "agentId" = $5) AND "agentId" > 0 GROUP BY "agentId"`,
      ...params,
      filters.from,
    ),
    durationBuckets(db, { previous, filters, tag, agent, metrics, folders }),
    busiestHoursOf(db, { from: filters.from, to: filters.to, timeZone: filters.timeZone, tagId: tag, folders }),
    db.$queryRawUnsafe<{ id: number; current: number; previous: number }[]>(
      `SELECT "tagId" AS id, COALESCE(sum(created) FILTER (WHERE day >= $3::date), 0)::int AS current, COALESCE(sum(created) FILTER (WHERE day < $3::date), 0)::int AS previous
       FROM report_daily
       WHERE "tagId" <> 0 AND day BETWEEN $1::date AND $2::date AND ($4::int[] IS NULL OR "folderId" = ANY($4::int[])) AND "agentId" = $5
       GROUP BY "tagId"`,
      previous.from,
      filters.to,
      filters.from,
      folders,
      agent,
    ),
    db.$queryRawUnsafe<{ id: number; current: number; previous: number }[]>(
      `SELECT "folderId" AS id, COALESCE(sum(created) FILTER (WHERE day >= $6::date), 0)::int AS current, COALESCE(sum(created) FILTER (WHERE day < $6::date), 0)::int AS previous
       FROM report_daily WHERE ${where} GROUP BY "folderId"`,
      ...params,
      filters.from,
    ),
    latestComments(db, filters, folders),
  ])

  const current = zero()
  const before = zero()
  const byStart = new Map<string, Sums>()
  for (const row of days) {
    addInto(row.day >= filters.from ? current : before, row)
    if (row.day < filters.from) continue
    const start = filters.interval === 'week' ? weekOf(row.day) : row.day
    const sums = byStart.get(start) ?? zero()
    addInto(sums, row)
    byStart.set(start, sums)
  }
  const starts: string[] = []
  for (
    let day = filters.interval === 'week' ? weekOf(filters.from) : filters.from;
    day <= filters.to;
    day = shiftDay(day, filters.interval === 'week' ? 7 : 1)
  ) {
    starts.push(day)
  }
  const volumeSeries: VolumePoint[] = starts.map((start) => {
    const s = byStart.get(start) ?? zero()
    return { start, created: s.created, customerMessages: s.customerMessages, replies: s.replies, closed: s.closed }
  })
  const satisfactionSeries: SatisfactionPoint[] = starts.map((start) => ({ start, ...satisfactionOf(byStart.get(start) ?? zero()) }))

  const histograms = { current: [new Map<number, number>(), new Map<number, number>()], before: [new Map<number, number>(), new Map<number, number>()] }
  for (const d of durations) {
    const which = histograms[d.current ? 'current' : 'before'][d.metric === metrics[0] ? 0 : 1]!
    which.set(d.bucket, (which.get(d.bucket) ?? 0) + d.n)
  }

  const names = await namesOf(
    db,
    agentSums.map((a) => a.agentId),
    tagRows.map((t) => t.id),
    folderRows.map((f) => f.id),
  )
  const agents: AgentRow[] = agentSums
    .map((row) => {
      const s = zero()
      addInto(s, row)
      const figures = figuresOf(s, new Map(), new Map(), filters.businessHours)
      // Per agent, times are averages: their medians would read one row per conversation.
      return {
        agentId: row.agentId,
        name: names.agents.get(row.agentId) ?? `#${row.agentId}`,
        closed: s.closed,
        replies: s.replies,
        firstResponse: figures.firstResponse,
        resolution: figures.resolution,
        satisfaction: figures.satisfaction,
      }
    })
    .sort((a, b) => b.closed + b.replies - (a.closed + a.replies) || a.name.localeCompare(b.name))
  const breakdown = (rows: { id: number; current: number; previous: number }[], named: Map<number, string>): BreakdownRow[] =>
    rows
      .filter((r) => named.has(r.id))
      .map((r) => ({ id: r.id, name: named.get(r.id)!, created: r.current, previousCreated: r.previous }))
      .sort((a, b) => b.created - a.created || a.name.localeCompare(b.name))

  return {
    filters,
    previous,
    current: figuresOf(current, histograms.current[0]!, histograms.current[1]!, filters.businessHours),
    before: figuresOf(before, histograms.before[0]!, histograms.before[1]!, filters.businessHours),
    volumeSeries,
    satisfactionSeries,
    busiestHours,
    agents,
    tags: breakdown(tagRows, names.tags),
    folders: breakdown(folderRows, names.folders),
    latestComments: comments,
  }
}

const DURATION_GRAINS = ['report_durations', 'report_durations_weekly', 'report_durations_monthly'] as const

/**
 * The duration buckets of both periods, summed: each period is read as its whole months, the
 * whole weeks left at its ends and the days left after that (src/domain/reports/periods.ts), so a
 * year reads ~12 months, a few weeks and a few days per folder instead of 365 days.
 */
async function durationBuckets(
  db: Db,
  q: { previous: { from: string; to: string }; filters: ReportFilters; tag: number; agent: number; metrics: number[]; folders: number[] | null },
) {
  const periods = [coverOf(q.previous.from, q.previous.to), coverOf(q.filters.from, q.filters.to)]
  const starts = [periods.flatMap((p) => p.days), periods.flatMap((p) => p.weeks), periods.flatMap((p) => p.months)]
  // $1 day, $2 week, $3 month starts; a period's rows start within it, so "current" is its first day or later.
  const reads = DURATION_GRAINS.map(
    (table, i) => `SELECT day, metric, bucket, count FROM ${table}
      WHERE "agentId" = $5 AND "tagId" = $6 AND metric = ANY($7::smallint[]) AND day = ANY($${i + 1}::date[])
        AND ($8::int[] IS NULL OR "folderId" = ANY($8::int[]))`,
  )
  return db.$queryRawUnsafe<{ current: boolean; metric: number; bucket: number; n: number }[]>(
    `SELECT day >= $4::date AS current, metric, bucket, sum(count)::int AS n FROM (${reads.join(' UNION ALL ')}) AS rows GROUP BY 1, 2, 3`,
    ...starts,
    q.filters.from,
    q.agent,
    q.tag,
    q.metrics,
    q.folders,
  )
}

async function namesOf(db: Db, agentIds: number[], tagIds: number[], folderIds: number[]) {
  const [agents, tags, folders] = await Promise.all([
    agentIds.length ? db.agent.findMany({ where: { id: { in: agentIds } }, select: { id: true, name: true } }) : [],
    tagIds.length ? db.tag.findMany({ where: { id: { in: tagIds } }, select: { id: true, name: true } }) : [],
    folderIds.length ? db.folder.findMany({ where: { id: { in: folderIds } }, select: { id: true, name: true } }) : [],
  ])
  const map = (rows: { id: number; name: string }[]) => new Map(rows.map((r) => [r.id, r.name]))
  return { agents: map(agents), tags: map(tags), folders: map(folders) }
}

/** The latest confirmed ratings with a comment in the range, newest first. */
async function latestComments(db: Db, filters: ReportFilters, folders: number[] | null): Promise<RatingComment[]> {
  const rows = await db.$queryRawUnsafe<
    { number: number; subject: string; customerName: string; customerEmail: string; value: RatingComment['value']; comment: string; at: Date }[]
  >(
    `SELECT c.number, c.subject, cu.name AS "customerName", cu.email AS "customerEmail", r.value::text AS value, r.comment, r."updatedAt" AS at
     FROM ratings r JOIN conversations c ON c.id = r."conversationId" JOIN customers cu ON cu.id = r."customerId"
     WHERE r.confirmed AND r.comment <> ''
       AND r."updatedAt" >= ($1::date::timestamp AT TIME ZONE $3) AND r."updatedAt" < (($2::date + 1)::timestamp AT TIME ZONE $3)
       AND ($4::int[] IS NULL OR c."folderId" = ANY($4::int[]))
       AND ($5::int IS NULL OR c."assigneeId" = $5::int)
       AND ($6::int IS NULL OR EXISTS (SELECT 1 FROM conversation_tags t WHERE t."conversationId" = c.id AND t."tagId" = $6::int))
     ORDER BY r."updatedAt" DESC LIMIT 10`,
    filters.from,
    filters.to,
    filters.timeZone,
    folders,
    filters.agentId,
    filters.tagId,
  )
  return rows.map((r) => ({
    conversationNumber: r.number,
    subject: r.subject,
    customerName: r.customerName || r.customerEmail,
    value: r.value,
    comment: r.comment,
    at: r.at,
  }))
}
