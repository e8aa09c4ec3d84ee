import { Router } from 'express'
import type { AppContext } from '../context.ts'
import { requireAdmin, requireAgent } from '../middleware/auth.ts'

export function adminRouter(ctx: AppContext): Router {
  const router = Router()
  const { prisma } = ctx.db
  router.use('/settings', requireAgent, requireAdmin)

  router.get('/settings', async (_req, res) => {
    const [agents, folders, tags, queuedMail, failedMail] = await Promise.all([
      prisma.agent.findMany({ orderBy: { name: 'asc' }, select: { id: true, name: true, email: true, role: true, active: true } }),
      prisma.folder.findMany({ orderBy: [{ position: 'asc' }, { name: 'asc' }], select: { id: true, name: true, inboundAddress: true, _count: { select: { conversations: true, members: true } } } }),
      prisma.tag.count(),
      prisma.outboxEmail.count({ where: { status: { in: ['queued', 'sending'] } } }),
      prisma.outboxEmail.count({ where: { status: 'failed' } }),
    ])
    res.render('admin/settings', { title: 'Settings', nav: 'settings', agents, folders, tagCount: tags, queuedMail, failedMail, database: ctx.db.kind })
  })

  return router
}
