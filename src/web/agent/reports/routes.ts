import { Router, type Request } from 'express'
import { NotFoundError } from '../../../domain/errors.ts'
import { authorize, INSTANCE } from '../../../domain/policy.ts'
import { loadReport } from '../../../domain/reports/report.ts'
import { reportFilterOptions } from '../../../domain/reports/reportFilterOptions.ts'
import type { AppContext } from '../../context.ts'
import { say } from '../../messages.ts'
import { requireAgent } from '../../middleware/auth.ts'
import { toCsv } from './csv.ts'
import { parseReportFilters, todayIn, type FilterChoices } from './filters.ts'
import { presentFilters, presentReport } from './present.ts'
import { isTableName, reportTable, tableRows } from './tables.ts'

/**
 * The reports page and its CSV files. Admins read every folder; an agent reads their own folders
 * only: the report query keeps to the viewer's folders, and the menus offer nothing else.
 */
export function reportsRouter(ctx: AppContext): Router {
  const router = Router()
  const { prisma } = ctx.db
  router.use('/reports', requireAgent)

  async function readFilters(req: Request) {
    const agent = req.agent!
    authorize(agent, 'read', INSTANCE)
    const options = await reportFilterOptions(prisma, agent)
    const choices: FilterChoices = {
      folders: options.folders,
      agents: options.agents.map((a) => ({ id: a.id, name: a.active ? a.name : req.t('reports.agentInactive', { name: a.name }) })),
      tags: options.tags,
    }
    const timeZone = req.formats.timeZone
    return { choices, parsed: parseReportFilters(req.query, { today: todayIn(timeZone, ctx.clock()), timeZone, choices }) }
  }

  router.get('/reports', async (req, res) => {
    const { choices, parsed } = await readFilters(req)
    const reader = { t: req.t, fmt: req.formats, locale: req.locale }
    const errors = parsed.ok ? {} : Object.fromEntries(Object.entries(parsed.errors).map(([field, message]) => [field, say(req.t, message)]))
    const filters = presentFilters(parsed.form, choices, errors, parsed.ok ? parsed.period : null, req.t)
    const report = parsed.ok ? presentReport(await loadReport(prisma, req.agent!, parsed.filters), parsed.form, reader) : null
    res.setHeader('Cache-Control', 'private, no-store')
    res.status(parsed.ok ? 200 : 400).render('agent/reports', { title: req.t('reports.title'), nav: 'reports', filters, report })
  })

  router.get('/reports/export/:table.csv', async (req, res) => {
    const name = req.params.table
    if (!isTableName(name)) throw new NotFoundError()
    const { parsed } = await readFilters(req)
    if (!parsed.ok) {
      const [field, message] = Object.entries(parsed.errors)[0]!
      res
        .status(400)
        .type('text/plain')
        .send(`${field}: ${say(req.t, message)}`)
      return
    }
    const report = await loadReport(prisma, req.agent!, parsed.filters)
    const { header, rows } = tableRows(reportTable(name, report, { t: req.t, locale: req.locale, dateTime: req.formats.dateTime }))
    const { from, to } = parsed.filters
    res.setHeader('Cache-Control', 'private, no-store')
    res.attachment(`suivi-${name}-${from}-${to}.csv`)
    res.type('text/csv; charset=utf-8').send(toCsv(header, rows))
  })

  return router
}
