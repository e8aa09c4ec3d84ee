import type { Request } from 'express'
import type { ConversationPage } from '../../../domain/conversations/getConversation.ts'
import type { FolderScope } from '../../../domain/policy.ts'
import type { AppContext } from '../../context.ts'
import { savedRepliesOfFolder } from '../../../domain/savedReplies/savedReplyQueries.ts'
import { loadMergeExtras } from '../merge/extras.ts'
import { loadDraftsExtras } from '../drafts/extras.ts'
import { loadSimilarExtras } from '../similar/extras.ts'
import { loadCopiesExtras } from '../copies/extras.ts'
import { loadSnoozeExtras } from '../snooze/extras.ts'
import { loadNotificationsExtras } from '../notifications/extras.ts'
import { loadRatingExtras } from '../ratings/extras.ts'

/**
 * What the team tools add to the conversation page (snooze, merge, follow, drafts, similar
 * conversations, copies, saved replies), each loaded by its own feature and read by its own
 * partial under views/partials/team/. One entry per feature; they load side by side, from the page
 * already read (its conversation row and messages) and the agent's folder scope, so that only what
 * the page does not hold costs a statement.
 */
export interface ConversationExtras {
  [feature: string]: unknown
}

type Loader = (ctx: AppContext, req: Request, page: ConversationPage, scope: FolderScope) => Promise<unknown>

const LOADERS: Record<string, Loader> = {
  // The customer's profile link in the customer card (their id is known: nothing to read).
  customers: async (_ctx, _req, page) => ({ profileHref: `/customers/${page.conversation.customerId}` }),
  // Whether it is snoozed (the notice at the top) and the Snooze menu's moments in the agent's zone.
  snooze: async (ctx, req, page) => loadSnoozeExtras(ctx, req, page.conversation),
  // The saved replies usable here, for the picker beside the editor (and its <select> without JavaScript).
  // (The page is in the agent's scope: they may read its folder, so its replies are theirs to use.)
  savedReplies: (ctx, _req, page) => savedRepliesOfFolder(ctx.domain, page.conversation.folderId),
  // Where a merged conversation went, else the customer's conversations it may be merged into.
  merge: (ctx, _req, page, scope) => loadMergeExtras(ctx, page.conversation, scope),
  // The agent's own draft (fills an empty editor) and the names of the others who have one.
  drafts: (ctx, req, page) => loadDraftsExtras(ctx, req, page.conversation),
  // Closed conversations of the agent's folders like this one, with the reply that solved them.
  // Looked for only when asked (the card fetches them as it comes into view, or ?similar=1 without a
  // script): the search costs more than the rest of the page.
  similar: async (ctx, req, page, scope) => {
    const href = `/conversations/${page.conversation.number}`
    const items = req.query.similar === '1' ? await loadSimilarExtras(ctx, req, page.conversation, scope) : null
    return { items, showHref: `${href}?similar=1#similar-title`, listHref: `${href}/similar` }
  },
  // The conversation's Cc and Bcc (the reply form starts from them) and what the forward form offers.
  copies: async (_ctx, req, page) => loadCopiesExtras(req, page),
  // Whether the agent follows it (the Follow button); opening it reads their notifications about it.
  notifications: (ctx, req, page) => loadNotificationsExtras(ctx, req, page.conversation),
  // The customer's rating and comment, read only when the history shows one.
  rating: (ctx, req, page) => loadRatingExtras(ctx, req, page),
}

export async function loadConversationExtras(ctx: AppContext, req: Request, page: ConversationPage, scope: FolderScope): Promise<ConversationExtras> {
  const names = Object.keys(LOADERS)
  const values = await Promise.all(names.map((name) => LOADERS[name]!(ctx, req, page, scope)))
  return Object.fromEntries(names.map((name, i) => [name, values[i]]))
}
