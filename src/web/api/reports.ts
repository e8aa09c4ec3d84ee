import { z } from 'zod'
import { loadReport } from '../../domain/reports/report.ts'
import { reportFilterOptions } from '../../domain/reports/reportFilterOptions.ts'
import { isTimeZone } from '../../i18n/format.ts'
import { schemaMessage } from '../../i18n/issueMessages.ts'
import { daysIn, isIsoDate, MAX_RANGE_DAYS, periodRange, todayIn } from '../agent/reports/filters.ts'
import { Report } from './directorySchemas.ts'
import { operation, type AnyOperation } from './operation.ts'
import { problem, sendProblem, type FieldProblem } from './problem.ts'

/** Up to this many days the series is per day by default, beyond it per week (as on the page). */
const DAILY_UP_TO_DAYS = 92

const day = z.string().refine(isIsoDate, { message: schemaMessage('reports.error.date') })
const choice = z.coerce.number().int().positive().max(2_147_483_647)

const reportQuery = z.object({
  from: day.optional().meta({ description: 'First day, YYYY-MM-DD (default: 29 days before `to`).' }),
  to: day.optional().meta({ description: 'Last day, YYYY-MM-DD, inclusive (default: today in `timeZone`).' }),
  folderId: choice.optional().meta({ description: 'One of your folders (default: all of them).' }),
  agentId: choice.optional().meta({ description: 'An agent of your folders.' }),
  tagId: choice.optional(),
  businessHours: z.enum(['true', 'false']).default('false').meta({ description: 'Count response and resolution times in business hours.' }),
  interval: z.enum(['day', 'week']).optional().meta({ description: 'Points of `volumeSeries` (default: days up to 92 days, then weeks).' }),
  timeZone: z
    .string()
    .refine(isTimeZone, { message: schemaMessage('validation.chooseTimeZone') })
    .optional()
    .meta({ description: 'IANA time zone for "today" and the busiest hours (default: the agent’s).' }),
})

export const reportOperations: AnyOperation[] = [
  operation({
    method: 'get',
    path: '/reports',
    operationId: 'getReport',
    summary: 'Report figures',
    description:
      'The figures of the reports page over a range of days (at most two years), compared with the same number of days just before: volume, first response and resolution times, per agent, per tag and per folder, satisfaction and the reminder lifecycle. Limited to the caller’s folders.',
    tag: 'Reports',
    scope: 'read',
    query: reportQuery,
    responses: { 200: { description: 'The figures.', schema: Report } },
    async handler({ ctx, query, agent, t, req, res }) {
      const timeZone = query.timeZone ?? agent.timeZone ?? 'UTC'
      const to = query.to ?? todayIn(timeZone, ctx.clock())
      const from = query.from ?? periodRange('30d', to).from
      // Checked once the defaults are in: a lone `from` is compared with today.
      if (from > to) return sendProblem(req, res, fieldProblem(t('validation.checkFields'), 'to', t('reports.error.endBeforeStart')))
      if (daysIn(from, to) > MAX_RANGE_DAYS)
        return sendProblem(req, res, fieldProblem(t('validation.checkFields'), 'from', t('reports.error.tooLong', { max: 2 })))
      // Only what the page would offer: another folder, or an agent or tag from elsewhere, is refused alike.
      const offered = await reportFilterOptions(ctx.domain.prisma, agent)
      const refused: FieldProblem[] = []
      const check = (value: number | undefined, among: { id: number }[], field: 'folder' | 'agent' | 'tag') => {
        if (value !== undefined && !among.some((o) => o.id === value)) refused.push({ pointer: `/query/${field}Id`, detail: t(`reports.error.${field}`) })
      }
      check(query.folderId, offered.folders, 'folder')
      check(query.agentId, offered.agents, 'agent')
      check(query.tagId, offered.tags, 'tag')
      if (refused.length) return sendProblem(req, res, problem('validation-failed', t('validation.checkFields'), refused))
      const interval = query.interval ?? (daysIn(from, to) > DAILY_UP_TO_DAYS ? 'week' : 'day')
      const filters = {
        from,
        to,
        folderId: query.folderId ?? null,
        agentId: query.agentId ?? null,
        tagId: query.tagId ?? null,
        businessHours: query.businessHours === 'true',
        interval,
        timeZone,
      } as const
      const report = await loadReport(ctx.domain.prisma, agent, filters)
      return {
        body: {
          from,
          to,
          filters: { folderId: filters.folderId, agentId: filters.agentId, tagId: filters.tagId, businessHours: filters.businessHours, interval, timeZone },
          current: report.current,
          previous: { ...report.previous, figures: report.before },
          volumeSeries: report.volumeSeries,
          agents: report.agents,
          tags: report.tags,
          folders: report.folders,
          busiestHours: report.busiestHours,
        },
      }
    },
  }),
]

function fieldProblem(title: string, field: string, detail: string) {
  return problem('validation-failed', title, [{ pointer: `/query/${field}`, detail }])
}
