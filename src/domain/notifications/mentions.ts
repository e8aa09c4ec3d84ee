import type { Prisma, Tx } from '../../db/database.ts'
import { agentsAllowedWhere } from '../policy.ts'

/** Lower case without accents: "@Zoé" and "@zoe" name the same agent. */
export const foldForMention = (s: string) =>
  s
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()

/** Who may be named in a conversation of the folder: active agents who may read it (the policy's own query). */
export function mentionableAgents(db: Prisma | Tx, folderId: number) {
  return db.agent.findMany({ where: agentsAllowedWhere(folderId, 'read'), select: { id: true, name: true, email: true }, orderBy: { name: 'asc' } })
}

const WORD = /[\p{L}\p{N}_-]/u

/**
 * Whether `@handle` stands in the (folded) text as a whole: after the start or a non-word
 * character (not the middle of an e-mail address), and before the end, a non-word character or
 * a full stop that ends the sentence ("@bruno." but not "@bruno.martin").
 */
function named(text: string, handle: string): boolean {
  if (!handle) return false
  const needle = `@${handle}`
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) {
    const before = at === 0 ? '' : text[at - 1]!
    if (before && (WORD.test(before) || before === '.')) continue
    const after = text[at + needle.length] ?? ''
    const next = text[at + needle.length + 1] ?? ''
    if (WORD.test(after)) continue
    if (after === '.' && WORD.test(next)) continue
    return true
  }
  return false
}

/**
 * The agents an internal comment names with `@`: by their name (as the editor's picker writes it,
 * "@Bruno Martin") or the local part of their e-mail ("@bruno"), in any case and with or without
 * accents. Only agents who may read the conversation's folder can be named: nobody else learns
 * of it.
 */
export async function findMentions(tx: Tx, folderId: number, text: string): Promise<number[]> {
  if (!text.includes('@')) return []
  const folded = foldForMention(text).replace(/\s+/g, ' ')
  const agents = await mentionableAgents(tx, folderId)
  return agents
    .filter((a) => named(folded, foldForMention(a.name.trim()).replace(/\s+/g, ' ')) || named(folded, foldForMention(a.email.split('@')[0] ?? '')))
    .map((a) => a.id)
}
