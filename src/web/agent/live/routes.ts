import { Router } from 'express'
import { z } from 'zod'
import { findActiveAgent } from '../../../domain/agents/authenticate.ts'
import { isSessionActive } from '../../../domain/agents/sessions.ts'
import { countTabsDetailed, listQuerySchema } from '../../../domain/conversations/listConversations.ts'
import { presentTabCounts } from '../../presenters/conversationList.ts'
import { findVisibleConversation, getConversationPage } from '../../../domain/conversations/getConversation.ts'
import { can, folderScope } from '../../../domain/policy.ts'
import type { ConversationEvent } from '../../../realtime/events.ts'
import { leaveConversation, reportPresence } from '../../../realtime/presence.ts'
import type { AppContext } from '../../context.ts'
import { requireAgent } from '../../middleware/auth.ts'
import { presentConversationPage } from '../../presenters/conversationPage.ts'
import { conversationNumber } from '../conversations/schema.ts'

const presenceBody = z.object({ composing: z.preprocess((v) => v === true || v === 'true' || v === '1', z.boolean()).default(false) })

/** How often an open event stream checks that its session still exists. */
const SESSION_CHECK_MS = 3_000

/** Live updates for agents: server-sent events, presence reports, and the fragments pages refresh. */
export function liveRouter(ctx: AppContext): Router {
  const router = Router()
  const { prisma } = ctx.db

  router.get('/events', requireAgent, async (req, res) => {
    // Signed-in agents come with their folders loaded, so each event is decided without a query.
    let viewer = req.agent!
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache, no-transform', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' })
    res.write('retry: 3000\n\n')
    const send = (event: ConversationEvent) => {
      // An agent hears only of conversations in their folders, exactly as the lists filter them.
      if (!can(viewer, 'read', { type: 'conversation', folderId: event.folderId })) return
      res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`)
    }
    const unsubscribe = ctx.events.subscribe(send)
    // The agent's own notifications (the bell), and nobody else's.
    const unsubscribeAgent = ctx.events.onAgentEvent((event) => {
      if (event.agentId === viewer.id) res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`)
    })
    // Keep proxies from closing the stream; re-read the agent's folders and standing now and then.
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 20_000)
    // Signing out or a password reset deletes the session row, on whichever instance it happens:
    // the stream ends within seconds rather than outliving the session.
    const sid = req.sessionID
    const sessionCheck = setInterval(async () => {
      try {
        // Session expiry is wall-clock time, as the session store keeps it.
        if (!(await isSessionActive(ctx.domain, { sid, now: new Date() }))) res.end()
      } catch {
        // The database is away for a moment; check again next time.
      }
    }, SESSION_CHECK_MS)
    const recheck = setInterval(async () => {
      try {
        const current = await findActiveAgent(prisma, viewer.id)
        if (!current) return res.end()
        viewer = current
      } catch {
        // The database is away for a moment; keep the stream and try again next time.
      }
    }, 30_000)
    const end = () => res.end()
    ctx.shutdown.addEventListener('abort', end, { once: true })
    req.on('close', () => {
      ctx.shutdown.removeEventListener('abort', end)
      unsubscribe()
      unsubscribeAgent()
      clearInterval(heartbeat)
      clearInterval(recheck)
      clearInterval(sessionCheck)
    })
  })

  router.post('/conversations/:number/presence', requireAgent, async (req, res) => {
    const scope = await folderScope(prisma, req.agent!)
    const conversation = await findVisibleConversation(prisma, scope, conversationNumber(req.params))
    const { composing } = presenceBody.parse(req.body ?? {})
    await reportPresence(prisma, ctx.events, req.agent!.id, conversation, composing)
    res.status(204).end()
  })

  router.post('/conversations/:number/presence/leave', requireAgent, async (req, res) => {
    const scope = await folderScope(prisma, req.agent!)
    const conversation = await findVisibleConversation(prisma, scope, conversationNumber(req.params))
    await leaveConversation(prisma, ctx.events, req.agent!.id, conversation)
    res.status(204).end()
  })

  // The thread alone, for the open page to show new messages without a reload.
  router.get('/conversations/:number/thread', requireAgent, async (req, res) => {
    const agent = req.agent!
    const scope = await folderScope(prisma, agent)
    const page = presentConversationPage(await getConversationPage(prisma, agent, scope, conversationNumber(req.params)), ctx.clock(), {}, [], {
      t: req.t,
      fmt: req.formats,
    })
    const html = await new Promise<string>((resolve, reject) =>
      res.render('partials/thread', { messages: page.messages }, (err, out) => (err ? reject(err) : resolve(out))),
    )
    res.setHeader('X-Message-Count', String(page.conversation.messageCount))
    res.type('html').send(html)
  })

  router.get('/conversations-counts', requireAgent, async (req, res) => {
    const agent = req.agent!
    const scope = await folderScope(prisma, agent)
    res.json(presentTabCounts(await countTabsDetailed(prisma, agent, scope, listQuerySchema.parse(req.query)), { t: req.t, fmt: req.formats }))
  })

  return router
}
