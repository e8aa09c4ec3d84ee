import { Router, type Request, type Response } from 'express'
import { z } from 'zod'
import { getAgentForAdmin, listAgentsForAdmin } from '../../../domain/agents/listAgents.ts'
import { inviteAgent, setAgentActive, updateAgent } from '../../../domain/agents/manageAgents.ts'
import { ConflictError, NotFoundError, ValidationError } from '../../../domain/errors.ts'
import { listFolderChoices } from '../../../domain/folders/folderQueries.ts'
import type { AppContext } from '../../context.ts'
import { requireAdmin, requireAgent } from '../../middleware/auth.ts'
import { flash, flashError } from '../../middleware/flash.ts'
import { errorText, fieldMessages } from '../../messages.ts'

const idParam = z.object({ id: z.coerce.number().int().positive().max(2_147_483_647) })
const agentId = (req: Request) => {
  const parsed = idParam.safeParse(req.params)
  if (!parsed.success) throw new NotFoundError()
  return parsed.data.id
}

/** Agents: invite, role, folders, notifications, deactivate and reactivate. */
export function agentsAdminRouter(ctx: AppContext): Router {
  const router = Router()
  router.use('/settings/agents', requireAgent, requireAdmin)

  async function renderList(req: Request, res: Response, status: number, values: Record<string, unknown>, errors: Record<string, string>) {
    const [agents, folders] = await Promise.all([listAgentsForAdmin(ctx.domain, req.agent!), listFolderChoices(ctx.domain, req.agent!)])
    res.status(status).render('admin/agents', { title: req.t('admin.agents.title'), nav: 'settings', agents, folders, values, errors })
  }

  router.get('/settings/agents', (req, res) => renderList(req, res, 200, { role: 'agent', folderIds: [] }, {}))

  router.post('/settings/agents', async (req, res) => {
    try {
      const agent = await inviteAgent(ctx.domain, req.agent!, req.body ?? {})
      flash(req, 'success', 'admin.agents.invited', { name: agent.name })
      res.redirect(303, '/settings/agents')
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err
      const b = req.body ?? {}
      await renderList(req, res, 400, { ...b, folderIds: ([] as unknown[]).concat(b.folderIds ?? []).map(Number) }, fieldMessages(req.t, err.fields))
    }
  })

  async function renderAgent(req: Request, res: Response, status: number, errors: Record<string, string>, error: string | null) {
    const id = agentId(req)
    const [{ agent, open }, folders] = await Promise.all([getAgentForAdmin(ctx.domain, req.agent!, id), listFolderChoices(ctx.domain, req.agent!)])
    res.status(status).render('admin/agent-edit', {
      title: agent.name,
      nav: 'settings',
      agent,
      folders,
      open,
      errors,
      error,
      self: agent.id === req.agent!.id,
    })
  }

  router.get('/settings/agents/:id', (req, res) => renderAgent(req, res, 200, {}, null))

  router.post('/settings/agents/:id', async (req, res) => {
    try {
      await updateAgent(ctx.domain, req.agent!, { ...req.body, agentId: agentId(req) })
      flash(req, 'success', 'admin.agents.saved')
      res.redirect(303, `/settings/agents/${agentId(req)}`)
    } catch (err) {
      if (err instanceof ValidationError) return renderAgent(req, res, 400, fieldMessages(req.t, err.fields), errorText(req.t, err))
      if (err instanceof ConflictError) return renderAgent(req, res, 409, {}, errorText(req.t, err))
      throw err
    }
  })

  for (const [action, active] of [
    ['deactivate', false],
    ['reactivate', true],
  ] as const) {
    router.post(`/settings/agents/:id/${action}`, async (req, res) => {
      try {
        const { agent, openAssignments } = await setAgentActive(ctx.domain, req.agent!, { agentId: agentId(req), active })
        if (active) flash(req, 'success', 'admin.agents.reactivated', { name: agent.name })
        else flash(req, 'success', 'admin.agents.deactivated', { name: agent.name, open: openAssignments })
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err
        flashError(req, err)
      }
      res.redirect(303, `/settings/agents/${agentId(req)}`)
    })
  }

  return router
}
