import type { Request } from 'express'
import { listQuerySchema, type ListQuery } from '../../../domain/conversations/listConversations.ts'
import { listHref } from '../../presenters/conversationList.ts'

declare module 'express-session' {
  interface SessionData {
    /** The query string of the list the agent last looked at (tab, filters, search, page). */
    lastList?: string
  }
}

/**
 * Remembers the list the agent is looking at, so "next" and "previous" on a conversation follow
 * it. The session is written only when the list changes: reloading the same list costs nothing.
 */
export function rememberList(req: Request, query: ListQuery): void {
  const remembered = listHref(query).slice('/conversations?'.length)
  if (req.session && req.session.lastList !== remembered) req.session.lastList = remembered
}

/** The list the agent last looked at; the New tab when they have not opened one yet. */
export function lastListQuery(req: Request): ListQuery {
  return listQuerySchema.parse(Object.fromEntries(new URLSearchParams(req.session?.lastList ?? '')))
}

/** The address of that list, page included (the way back from a conversation). */
export function lastListHref(req: Request): string {
  return listHref(lastListQuery(req))
}

/**
 * The conversation page's "previous", "next" and "back to the list" links. Next and previous
 * carry where the conversation stood when the page was shown (`at`): a reply moves it to the top
 * of its list, and the agent means the one below where it was.
 */
export function conversationNavHrefs(req: Request, conversation: { id: number; number: number; lastActivityAt: Date }) {
  const at = `at=${conversation.lastActivityAt.getTime()}_${conversation.id}`
  return {
    previous: `/conversations/${conversation.number}/previous?${at}`,
    next: `/conversations/${conversation.number}/next?${at}`,
    list: lastListHref(req),
  }
}
