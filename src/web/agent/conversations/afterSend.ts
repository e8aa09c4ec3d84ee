import type { Request } from 'express'
import type { AfterSend } from '../../../domain/agents/profile.ts'
import { adjacentConversation, type ListPosition } from '../../../domain/conversations/listConversations.ts'
import { folderScope } from '../../../domain/policy.ts'
import type { AppContext } from '../../context.ts'
import { lastListHref, lastListQuery } from '../list/lastList.ts'

/**
 * Where an agent lands after sending a reply: the conversation again, the list they came from, or
 * the next conversation of that list ("next" is the one below it, found from where the conversation
 * stood before the reply moved it up or out of its tab). No next one: the list, and says so.
 */
export async function pageAfterReply(
  { db: { prisma } }: AppContext,
  req: Request,
  choice: AfterSend,
  conversation: { number: number; positionBefore: ListPosition },
): Promise<{ href: string; endOfList: boolean }> {
  const here = { href: `/conversations/${conversation.number}`, endOfList: false }
  if (choice === 'stay') return here
  if (choice === 'list') return { href: lastListHref(req), endOfList: false }
  const agent = req.agent!
  const next = await adjacentConversation(prisma, agent, await folderScope(prisma, agent), lastListQuery(req), conversation.positionBefore, 'older')
  return next ? { href: `/conversations/${next.number}`, endOfList: false } : { href: lastListHref(req), endOfList: true }
}
