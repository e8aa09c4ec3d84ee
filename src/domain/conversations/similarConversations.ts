import type { Prisma } from '../../db/database.ts'
import { Prisma as P } from '../../generated/prisma/client.ts'
import { scopeSql, type FolderScope } from '../policy.ts'

/*
 * "Similar solved conversations": closed conversations whose words are those of this one, with
 * the reply that closed them. The most telling words of the subject and the customer's first
 * message (the rarest in the index by PostgreSQL's own statistics, else the longest) make an OR
 * query on the same 'simple' search vectors and GIN indexes as the search box. Two statements,
 * each inner scan bounded by a LIMIT, so the sidebar stays cheap on a large database.
 */

/** At most this many words go into the query: more would only widen the scans. */
const MAX_WORDS = 8
/** Words looked up in the statistics before the best MAX_WORDS are kept. */
const MAX_CANDIDATES = 24
const MIN_WORD_LENGTH = 4
/** A word in more than this share of the messages tells nothing ("reference", "order") and would widen the scans. */
const MAX_WORD_FREQUENCY = 0.1
/** Of the customer's first message, only its opening says what the matter is. */
const OPENING_CHARS = 2000
/** Matches read per index scan (subjects, customer messages) before ranking. */
const SCAN_LIMIT = 300
const SHOWN = 3
/** The best matches looked at for their reply (one closed without a reply is passed over). */
const BEST_LIMIT = 30
const SNIPPET_CHARS = 240

// Words of four letters or more that say nothing of the matter, in English and French.
const STOP_WORDS = new Set(
  (
    'about above after again also aussi autre avec avez avoir because been before being bien bonjour bonsoir cela cette ceux chez comme comment could dans ' +
    'déjà depuis does doing donc dont elle elles encore entre être fait faire from have having hello hers here just leur leurs lors mais merci même ' +
    'mes mien moins most much nous only other ours pour pourquoi pouvez quand quel quelle quelque quels regards sans sera seront should some such ' +
    'than thank thanks that their them then there these they this those thus toujours tous tout toute toutes très until very vous votre vôtre vos want ' +
    'were what when where which while will with would your yours cordialement salutations madame monsieur please plaît plait avant après apres alors ' +
    'ainsi avait étais était sont suis into onto over under still since dear best sincerely'
  ).split(/\s+/),
)

export interface SimilarConversation {
  number: number
  subject: string
  closedAt: Date
  reply: { messageId: number; html: string; snippet: string }
}

/** The telling words of a text: letters only, lower-cased, at least four long, not stop words; longest first. */
export function tellingWords(text: string): string[] {
  const words = new Set<string>()
  for (const w of text.toLowerCase().match(/\p{L}+/gu) ?? []) if ([...w].length >= MIN_WORD_LENGTH && !STOP_WORDS.has(w)) words.add(w)
  return [...words].sort((a, b) => b.length - a.length || (a < b ? -1 : 1)).slice(0, MAX_CANDIDATES)
}

/**
 * The few closed conversations of the agent's folders most like this one (never itself, never a
 * merged one), best first, each with the last public reply written before it closed.
 */
export async function similarConversations(prisma: Prisma, scope: FolderScope, conversationId: number): Promise<SimilarConversation[]> {
  const [source] = await prisma.$queryRaw<{ subject: string; opening: string | null }[]>`
    SELECT c.subject,
      (SELECT left(m."bodyText", ${OPENING_CHARS}) FROM messages m WHERE m."conversationId" = c.id AND m.kind = 'customer' ORDER BY m."createdAt", m.id LIMIT 1) AS opening
    FROM conversations c WHERE c.id = ${conversationId}`
  if (!source) return []
  const candidates = tellingWords(`${source.subject} ${source.opening ?? ''}`)
  if (candidates.length === 0) return []
  const inScope = P.sql`c.status = 'closed' AND c."mergedIntoId" IS NULL AND c.id <> ${conversationId} AND ${scopeSql(P.sql`c."folderId"`, scope)}`
  // A word PostgreSQL does not list among the most common elements of messages.search is rarer than those it does.
  const rows = await prisma.$queryRaw<{ number: number; subject: string; closedAt: Date; messageId: number; html: string; snippet: string }[]>`
    WITH common AS (
      SELECT e.word, e.freq FROM pg_stats s CROSS JOIN LATERAL unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS e(word, freq)
      WHERE s.schemaname = current_schema() AND s.tablename = 'messages' AND s.attname = 'search' AND e.word = ANY(${candidates}::text[])
    ),
    words AS (
      SELECT w.word FROM unnest(${candidates}::text[]) AS w(word) LEFT JOIN common ON common.word = w.word
      WHERE COALESCE(common.freq, 0) < ${MAX_WORD_FREQUENCY}
      ORDER BY COALESCE(common.freq, 0), length(w.word) DESC, w.word LIMIT ${MAX_WORDS}
    ),
    q AS (SELECT to_tsquery('simple', string_agg(word, ' | ')) AS query FROM words),
    matched AS (
      (SELECT c.id, 2 * ts_rank(c.search, q.query) AS rank FROM conversations c, q WHERE c.search @@ q.query AND ${inScope} LIMIT ${SCAN_LIMIT})
      UNION ALL
      (SELECT c.id, ts_rank(m.search, q.query) AS rank FROM messages m JOIN conversations c ON c.id = m."conversationId", q
       WHERE m.search @@ q.query AND m.kind = 'customer' AND ${inScope} LIMIT ${SCAN_LIMIT})
    ),
    best AS (SELECT id, sum(rank) AS rank FROM matched GROUP BY id ORDER BY rank DESC, id DESC LIMIT ${BEST_LIMIT})
    SELECT c.number, c.subject, c."closedAt", r.id AS "messageId", r."bodyHtml" AS html, left(r."bodyText", ${SNIPPET_CHARS}) AS snippet
    FROM best b JOIN conversations c ON c.id = b.id
    CROSS JOIN LATERAL (
      SELECT m.id, m."bodyHtml", m."bodyText" FROM messages m
      WHERE m."conversationId" = c.id AND m.kind = 'agent' AND m."createdAt" <= COALESCE(c."closedAt", 'infinity')
      ORDER BY m."createdAt" DESC, m.id DESC LIMIT 1
    ) r
    ORDER BY b.rank DESC, b.id DESC LIMIT ${SHOWN}`
  return rows.map((r) => ({
    number: r.number,
    subject: r.subject,
    closedAt: r.closedAt,
    reply: { messageId: r.messageId, html: r.html, snippet: r.snippet.replace(/\s+/g, ' ').trim() },
  }))
}

/**
 * The reply that solved a conversation the agent may see: its last public reply (before it closed,
 * when it did). NotFoundError-free: null when there is none, the caller answers 404.
 */
export async function solvingReply(prisma: Prisma, scope: FolderScope, number: number): Promise<{ html: string; text: string } | null> {
  const [row] = await prisma.$queryRaw<{ html: string; text: string }[]>`
    SELECT m."bodyHtml" AS html, m."bodyText" AS text FROM conversations c
    JOIN LATERAL (
      SELECT "bodyHtml", "bodyText" FROM messages m
      WHERE m."conversationId" = c.id AND m.kind = 'agent' AND m."createdAt" <= COALESCE(c."closedAt", 'infinity')
      ORDER BY m."createdAt" DESC, m.id DESC LIMIT 1
    ) m ON true
    WHERE c.number = ${number} AND ${scopeSql(P.sql`c."folderId"`, scope)}`
  return row ?? null
}
