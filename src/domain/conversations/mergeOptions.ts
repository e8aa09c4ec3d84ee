import { Prisma as P } from '../../generated/prisma/client.ts'
import type { Prisma } from '../../db/database.ts'
import type { ConversationStatus } from '../../generated/prisma/enums.ts'
import { scopeSql, type FolderScope } from '../policy.ts'
import { jsonValue, readPart, type Part } from '../readTogether.ts'

/** How many of the customer's conversations the merge menu offers (the number field reaches the others). */
const MAX_CANDIDATES = 50

export interface MergeOptions {
  mergedInto: { number: number; subject: string } | null
  candidates: { number: number; subject: string; status: ConversationStatus }[]
}

/**
 * What the conversation page's merge tools show: where this conversation was merged into (if it
 * was), else the customer's other conversations it may be merged into — still being worked on
 * (new, open, pending), not merged, in the agent's folders.
 */
export async function findMergeOptions(prisma: Prisma, scope: FolderScope, conversation: { id: number; customerId: number; mergedIntoId: number | null }) {
  return readPart(prisma, mergingOptionsPart(scope, conversation))
}

/** The same, as a part of a page's one statement (src/domain/readTogether.ts). */
export function mergingOptionsPart(scope: FolderScope, conversation: { id: number; customerId: number; mergedIntoId: number | null }): Part<MergeOptions> {
  if (conversation.mergedIntoId !== null) {
    return {
      sql: P.sql`(SELECT json_build_object('number', m.number, 'subject', m.subject) FROM conversations m WHERE m.id = ${conversation.mergedIntoId})`,
      read: (value) => ({ mergedInto: value === null ? null : jsonValue<MergeOptions['mergedInto']>(value), candidates: [] }),
    }
  }
  // Conversations of a customer merged into this one moved with the merge (mergeCustomers): the
  // customer's own are all there is.
  return {
    sql: P.sql`(SELECT COALESCE(json_agg(json_build_object('number', x.number, 'subject', x.subject, 'status', x.status) ORDER BY x."lastActivityAt" DESC, x.id DESC), '[]'::json)
                FROM (SELECT c.id, c.number, c.subject, c.status, c."lastActivityAt" FROM conversations c
                      WHERE c."customerId" = ${conversation.customerId} AND c.id <> ${conversation.id} AND c."mergedIntoId" IS NULL
                        AND c.status IN ('new', 'open', 'pending') AND ${scopeSql(P.sql`c."folderId"`, scope)}
                      ORDER BY c."lastActivityAt" DESC, c.id DESC LIMIT ${MAX_CANDIDATES}) x)`,
    read: (value) => ({ mergedInto: null, candidates: jsonValue<MergeOptions['candidates']>(value) }),
  }
}
