import { Router, type Request, type Response } from 'express'
import { z } from 'zod'
import { inviteAgent, setAgentActive, updateAgent } from '../../../domain/agents/manageAgents.ts'
import { ConflictError, NotFoundError, ValidationError } from '../../../domain/errors.ts'
import type { AppContext } from '../../context.ts'
import { requireAdmin, requireAgent } from '../../middleware/auth.ts'
import { flash } from '../../middleware/flash.ts'

const idParam = z.object({ id: z.coerce.number().int().positive().max(2_147_483_647) })
const agentId = (req: Request) => {
  const parsed = idParam.safeParse(req.params)
  if (!parsed.success) throw new NotFoundError()
  return parsed.data.id
}

/** Agents: invite, role, folders, notifications, deactivate and reactivate. */
export function agentsAdminRouter(ctx: AppContext): Router {
  const router = Router()
  const { prisma } = ctx.db
  router.use('/settings/agents', requireAgent, requireAdmin)

  async function renderList(res: Response, status: number, values: Record<string, unknown>, errors: Record<string, string>) {
    const [agents, folders] = await Promise.all([
      prisma.agent.findMany({
        orderBy: [{ active: 'desc' }, { name: 'asc' }],
        select: { id: true, name: true, email: true, role: true, active: true, passwordHash: true, folders: { select: { folder: { select: { name: true } } } }, _count: { select: { assigned: { where: { status: { not: 'closed' } } } } } },
      }),
      prisma.folder.findMany({ orderBy: [{ position: 'asc' }, { name: 'asc' }], select: { id: true, name: true } }),
    ])
    res.status(status).render('admin/agents', {
      title: 'Agents',
      nav: 'settings',
      agents: agents.map((a) => ({ ...a, passwordHash: undefined, invited: a.passwordHash === null, folderNames: a.folders.map((f) => f.folder.name), openAssignments: a._count.assigned })),
      folders,
      values,
      errors,
    })
  }

  router.get('/settings/agents', (_req, res) => renderList(res, 200, { role: 'agent', folderIds: [] }, {}))

  router.post('/settings/agents', async (req, res) => {
    try {
      const agent = await inviteAgent(prisma, ctx.mail, ctx.clock, req.agent!, req.body ?? {})
      flash(req, 'success', `${agent.name} is invited: an e-mail with a link to choose a password is on its way.`)
      res.redirect(303, '/settings/agents')
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err
      const b = req.body ?? {}
      await renderList(res, 400, { ...b, folderIds: ([] as unknown[]).concat(b.folderIds ?? []).map(Number) }, err.fields)
    }
  })

  async function renderAgent(req: Request, res: Response, status: number, errors: Record<string, string>, error: string | null) {
    const id = agentId(req)
    const [agent, folders, open] = await Promise.all([
      prisma.agent.findUnique({ where: { id }, include: { folders: true } }),
      prisma.folder.findMany({ orderBy: [{ position: 'asc' }, { name: 'asc' }], select: { id: true, name: true } }),
      prisma.conversation.findMany({ where: { assigneeId: id, status: { not: 'closed' } }, orderBy: { lastActivityAt: 'desc' }, take: 50, select: { number: true, subject: true, status: true } }),
    ])
    if (!agent) throw new NotFoundError()
    res.status(status).render('admin/agent-edit', {
      title: agent.name,
      nav: 'settings',
      agent: { ...agent, passwordHash: undefined, invited: agent.passwordHash === null, folderIds: agent.folders.map((f) => f.folderId) },
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
      await updateAgent(prisma, ctx.clock, req.agent!, agentId(req), req.body ?? {})
      flash(req, 'success', 'Saved.')
      res.redirect(303, `/settings/agents/${agentId(req)}`)
    } catch (err) {
      if (err instanceof ValidationError) return renderAgent(req, res, 400, err.fields, err.message)
      if (err instanceof ConflictError) return renderAgent(req, res, 409, {}, err.message)
      throw err
    }
  })

  for (const [action, active] of [['deactivate', false], ['reactivate', true]] as const) {
    router.post(`/settings/agents/:id/${action}`, async (req, res) => {
      try {
        const { agent, openAssignments } = await setAgentActive(prisma, ctx.clock, req.agent!, agentId(req), active)
        flash(req, 'success', active ? `${agent.name} can sign in again.` : `${agent.name} is deactivated and signed out.${openAssignments ? ` ${openAssignments} open conversation${openAssignments > 1 ? 's are' : ' is'} still assigned to them: reassign them below.` : ''}`)
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err
        flash(req, 'error', err.message)
      }
      res.redirect(303, `/settings/agents/${agentId(req)}`)
    })
  }

  return router
}
