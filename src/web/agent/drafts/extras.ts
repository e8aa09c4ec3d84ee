import type { Request } from 'express'
import { draftsOnConversation } from '../../../domain/drafts/draftQueries.ts'
import type { AppContext } from '../../context.ts'

export interface DraftsExtras {
  /** The agent's own draft: it fills the editor when the page opens with an empty form. */
  mine: { html: string; text: string } | null
  /** Who else has a draft here, by name. */
  others: string[]
}

export async function loadDraftsExtras(ctx: AppContext, req: Request, c: { id: number }): Promise<DraftsExtras> {
  return draftsOnConversation(ctx.db.prisma, req.agent!, c.id)
}
