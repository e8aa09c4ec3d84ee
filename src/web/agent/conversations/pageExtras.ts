import type { Request } from 'express'
import type { ConversationPage } from '../../../domain/conversations/getConversation.ts'
import { mergingOptionsPart } from '../../../domain/conversations/mergeOptions.ts'
import { draftsOnConversationPart } from '../../../domain/drafts/draftQueries.ts'
import { followStatePart } from '../../../domain/notifications/follow.ts'
import { unreadCountPart } from '../../../domain/notifications/notifications.ts'
import type { FolderScope } from '../../../domain/policy.ts'
import { readTogether } from '../../../domain/readTogether.ts'
import { savedRepliesOfFolderPart } from '../../../domain/savedReplies/savedReplyQueries.ts'
import type { AppContext } from '../../context.ts'
import { loadCopiesExtras } from '../copies/extras.ts'
import { presentMergeExtras } from '../merge/extras.ts'
import { presentNotificationsExtras } from '../notifications/extras.ts'
import { presentRatingExtras, ratingPartFor } from '../ratings/extras.ts'
import { loadSimilarExtras } from '../similar/extras.ts'
import { loadSnoozeExtras } from '../snooze/extras.ts'

/**
 * What the team tools add to the conversation page (snooze, merge, follow, drafts, similar
 * conversations, copies, saved replies, rating), each read by its own partial under
 * views/partials/team/. What the page row does not hold is read in ONE statement of parts, each
 * part written by its feature's domain module (src/domain/readTogether.ts), with the top bar's
 * unread count: a conversation page costs the session, the agent, the page and this.
 */
export interface ConversationExtras {
  [feature: string]: unknown
}

export interface PageExtras {
  extras: ConversationExtras
  /** The bell's count, read with the rest; null when opening the page read notifications (the bell counts after). */
  unreadCount: number | null
}

export async function loadConversationExtras(ctx: AppContext, req: Request, page: ConversationPage, scope: FolderScope): Promise<PageExtras> {
  const agent = req.agent!
  const { conversation } = page
  const read = await readTogether(ctx.db.prisma, {
    // The saved replies usable here, for the picker beside the editor (and its <select> without JavaScript).
    // (The page is in the agent's scope: they may read its folder, so its replies are theirs to use.)
    savedReplies: savedRepliesOfFolderPart(conversation.folderId),
    // Where a merged conversation went, else the customer's conversations it may be merged into.
    merge: mergingOptionsPart(scope, conversation),
    // The agent's own draft (fills an empty editor) and the names of the others who have one.
    drafts: draftsOnConversationPart(agent, conversation.id),
    // Whether the agent follows it, and whether they have unread notifications about it.
    follow: followStatePart(agent.id, conversation.id),
    unreadCount: unreadCountPart(agent, scope),
    // The customer's rating and comment, read only when the history shows one.
    rating: ratingPartFor(page),
  })
  const notifications = await presentNotificationsExtras(ctx, req, conversation, read.follow)
  const href = `/conversations/${conversation.number}`
  const extras: ConversationExtras = {
    // The customer's profile link in the customer card (their id is known: nothing to read).
    customers: { profileHref: `/customers/${conversation.customerId}` },
    // Whether it is snoozed (the notice at the top) and the Snooze menu's moments in the agent's zone.
    snooze: loadSnoozeExtras(ctx, req, conversation),
    savedReplies: read.savedReplies,
    merge: presentMergeExtras(read.merge),
    drafts: read.drafts,
    // Closed conversations of the agent's folders like this one, with the reply that solved them.
    // Looked for only when asked (the card fetches them as it comes into view, or ?similar=1 without a
    // script): the search costs more than the rest of the page.
    similar: {
      items: req.query.similar === '1' ? await loadSimilarExtras(ctx, req, conversation, scope) : null,
      showHref: `${href}?similar=1#similar-title`,
      listHref: `${href}/similar`,
    },
    // The conversation's Cc and Bcc (the reply form starts from them) and what the forward form offers.
    copies: loadCopiesExtras(req, page),
    notifications,
    rating: presentRatingExtras(ctx, req, read.rating),
  }
  return { extras, unreadCount: notifications.read ? null : read.unreadCount }
}
