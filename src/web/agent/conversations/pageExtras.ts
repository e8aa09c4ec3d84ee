import type { Request } from 'express'
import type { AppContext } from '../../context.ts'

/**
 * What the team tools add to the conversation page (snooze, merge, follow, drafts, similar
 * conversations, copies, saved replies), each loaded by its own feature and read by its own
 * partial under views/partials/team/. One entry per feature; they load side by side.
 */
export interface ConversationExtras {
  [feature: string]: unknown
}

type Loader = (ctx: AppContext, req: Request, conversation: { id: number; number: number; folderId: number; customerId: number }) => Promise<unknown>

const LOADERS: Record<string, Loader> = {}

export async function loadConversationExtras(ctx: AppContext, req: Request, conversation: Parameters<Loader>[2]): Promise<ConversationExtras> {
  const names = Object.keys(LOADERS)
  const values = await Promise.all(names.map((name) => LOADERS[name]!(ctx, req, conversation)))
  return Object.fromEntries(names.map((name, i) => [name, values[i]]))
}
