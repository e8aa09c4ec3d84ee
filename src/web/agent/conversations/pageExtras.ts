import type { Request } from 'express'
import type { AppContext } from '../../context.ts'
import { savedRepliesForFolder } from '../../../domain/savedReplies/savedReplyQueries.ts'
import { loadMergeExtras } from '../merge/extras.ts'
import { loadDraftsExtras } from '../drafts/extras.ts'
import { loadSimilarExtras } from '../similar/extras.ts'
import { loadCopiesExtras } from '../copies/extras.ts'
import { loadSnoozeExtras } from '../snooze/extras.ts'
import { loadNotificationsExtras } from '../notifications/extras.ts'

/**
 * What the team tools add to the conversation page (snooze, merge, follow, drafts, similar
 * conversations, copies, saved replies), each loaded by its own feature and read by its own
 * partial under views/partials/team/. One entry per feature; they load side by side.
 */
export interface ConversationExtras {
  [feature: string]: unknown
}

type Loader = (ctx: AppContext, req: Request, conversation: { id: number; number: number; folderId: number; customerId: number }) => Promise<unknown>

const LOADERS: Record<string, Loader> = {
  // The customer's profile link in the customer card (their id is known: nothing to read).
  customers: async (_ctx, _req, c) => ({ profileHref: `/customers/${c.customerId}` }),
  // Whether it is snoozed (the notice at the top) and the Snooze menu's moments in the agent's zone.
  snooze: (ctx, req, c) => loadSnoozeExtras(ctx, req, c),
  // The saved replies usable here, for the picker beside the editor (and its <select> without JavaScript).
  savedReplies: (ctx, req, c) => savedRepliesForFolder(ctx.domain, req.agent!, c.folderId),
  // Where a merged conversation went, else the customer's conversations it may be merged into.
  merge: (ctx, req, c) => loadMergeExtras(ctx, req, c),
  // The agent's own draft (fills an empty editor) and the names of the others who have one.
  drafts: (ctx, req, c) => loadDraftsExtras(ctx, req, c),
  // Closed conversations of the agent's folders like this one, with the reply that solved them.
  similar: (ctx, req, c) => loadSimilarExtras(ctx, req, c),
  // The conversation's Cc and Bcc (the reply form starts from them) and what the forward form offers.
  copies: (ctx, req, c) => loadCopiesExtras(ctx, req, c),
  // Whether the agent follows it (the Follow button); opening it reads their notifications about it.
  notifications: (ctx, req, c) => loadNotificationsExtras(ctx, req, c),
}

export async function loadConversationExtras(ctx: AppContext, req: Request, conversation: Parameters<Loader>[2]): Promise<ConversationExtras> {
  const names = Object.keys(LOADERS)
  const values = await Promise.all(names.map((name) => LOADERS[name]!(ctx, req, conversation)))
  return Object.fromEntries(names.map((name, i) => [name, values[i]]))
}
