import type { Request } from 'express'
import { findVisibleConversation } from '../../../domain/conversations/getConversation.ts'
import { folderScope } from '../../../domain/policy.ts'
import type { AppContext } from '../../context.ts'
import { conversationNumber } from './schema.ts'

/** Resolves the public number of the URL to the conversation, within the agent's folders (a 404 otherwise). */
export async function visibleConversationId({ db: { prisma } }: AppContext, req: Request): Promise<number> {
  const scope = await folderScope(prisma, req.agent!)
  return (await findVisibleConversation(prisma, scope, conversationNumber(req.params))).id
}
