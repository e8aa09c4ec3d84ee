import type { Request } from 'express'
import { similarConversations } from '../../../domain/conversations/similarConversations.ts'
import type { FolderScope } from '../../../domain/policy.ts'
import type { AppContext } from '../../context.ts'
import { shownTime, type ShownTime } from '../../presenters/conversationRow.ts'

export interface SimilarItem {
  number: number
  subject: string
  href: string
  closed: ShownTime
  snippet: string
  /** The reply's HTML (sanitised when it was stored), for similar.js to put in the editor. */
  html: string
  reuseAction: string
}

/** The similar solved conversations in the agent's folders, as the sidebar shows them. */
export async function loadSimilarExtras(ctx: AppContext, req: Request, c: { id: number; number: number }, scope: FolderScope): Promise<SimilarItem[]> {
  const found = await similarConversations(ctx.db.prisma, scope, c.id)
  const now = ctx.clock()
  return found.map((s) => ({
    number: s.number,
    subject: s.subject,
    href: `/conversations/${s.number}`,
    closed: shownTime(s.closedAt, now, req.formats),
    snippet: s.reply.snippet,
    html: s.reply.html,
    reuseAction: `/conversations/${c.number}/similar/${s.number}/reuse`,
  }))
}
