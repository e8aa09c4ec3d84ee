import { Router } from 'express'
import { TABS, countTabs, listConversations, listQuerySchema } from '../../domain/conversations/listConversations.ts'
import { folderScope } from '../../domain/policy.ts'
import type { AppContext } from '../context.ts'
import { requireAgent } from '../middleware/auth.ts'
import { presentConversationRow } from '../presenters/conversationRow.ts'

const TAB_LABELS: Record<(typeof TABS)[number], string> = {
  new: 'New',
  open: 'Open',
  pending: 'Pending',
  closed: 'Closed',
  all: 'All',
  mine: 'Mine',
  unassigned: 'Unassigned',
}

export function agentRouter(ctx: AppContext): Router {
  const router = Router()
  const { prisma } = ctx.db

  router.get('/', requireAgent, (_req, res) => res.redirect(303, '/conversations'))

  router.get('/conversations', requireAgent, async (req, res) => {
    const agent = req.agent!
    const query = listQuerySchema.parse(req.query)
    const scope = await folderScope(prisma, agent)
    const [list, counts] = await Promise.all([listConversations(prisma, agent, scope, query), countTabs(prisma, agent, scope)])
    const now = ctx.clock()
    res.render('agent/conversations', {
      title: `${TAB_LABELS[query.tab]} conversations`,
      nav: 'conversations',
      tab: query.tab,
      tabs: TABS.map((t) => ({ key: t, label: TAB_LABELS[t], count: counts[t], href: `/conversations?tab=${t}` })),
      rows: list.rows.map((r) => presentConversationRow(r, now)),
      nextHref: list.nextCursor ? `/conversations?tab=${query.tab}&after=${list.nextCursor}` : null,
    })
  })

  return router
}
