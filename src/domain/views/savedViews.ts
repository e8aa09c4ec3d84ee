import { z } from 'zod'
import { asAgent, type Actor } from '../actor.ts'
import type { DomainContext, QueryContext } from '../context.ts'
import { NotFoundError, parseInput, ValidationError } from '../errors.ts'
import { recordEvents } from '../events/record.ts'
import { transaction } from '../transaction.ts'
import { listQuerySchema, type ListQuery } from '../conversations/listConversations.ts'

/*
 * Saved searches ("views"): a list of the conversation page (its tab, typed query and filters)
 * that an agent keeps under a name. A view belongs to one agent and only they see, open and
 * delete it; it holds no conversation, so opening it shows whatever that agent may see then.
 */

/** Enough for every queue an agent works through; a longer list would no longer fit the column. */
export const MAX_SAVED_VIEWS = 30
const NAME_MAX = 60

export interface SavedView {
  id: number
  name: string
  /** The list's query string ("tab=all&q=from%3Aalice"): `/conversations?` + query opens it. */
  query: string
}

/** The list a view opens, as a query string: the tab, the typed search and the filters, never a page cursor. */
export function viewQueryString(query: ListQuery): string {
  const params = new URLSearchParams()
  for (const key of ['tab', 'folder', 'assignee', 'tag', 'q'] as const) {
    const value = query[key]
    if (value !== undefined && value !== '') params.set(key, String(value))
  }
  return params.toString()
}

/** True when the list shows a search or a filter: only then is there something to save. */
export const isSavable = (query: ListQuery) => Boolean(query.q || query.folder || query.assignee || query.tag)

/** The agent's views, by name: what the left column lists. One indexed read. */
export async function listSavedViews(ctx: QueryContext, agent: Actor): Promise<SavedView[]> {
  return ctx.prisma.savedView.findMany({ where: { agentId: agent.id }, select: { id: true, name: true, query: true }, orderBy: { name: 'asc' } })
}

const saveViewSchema = z.object({
  name: z.string().trim().min(1).max(NAME_MAX),
  /** The list's parameters as the page sends them (tab, q, folder, assignee, tag). */
  list: z.record(z.string(), z.unknown()),
})

/**
 * Saves the list under a name; saving again under a name the agent already uses replaces that
 * view's search (the name is how agents tell their views apart).
 */
export async function saveView(ctx: DomainContext, agent: Actor, input: { name: unknown; list: Record<string, unknown> }): Promise<SavedView> {
  const { name, list } = parseInput(saveViewSchema, input)
  const query = listQuerySchema.parse(list)
  if (!isSavable(query)) throw new ValidationError('views.nothingToSave')
  const queryString = viewQueryString(query)
  return transaction(ctx, async (tx) => {
    const existing = await tx.savedView.findUnique({ where: { agentId_name: { agentId: agent.id, name } }, select: { id: true } })
    if (!existing && (await tx.savedView.count({ where: { agentId: agent.id } })) >= MAX_SAVED_VIEWS)
      throw new ValidationError('views.tooMany', {}, { max: MAX_SAVED_VIEWS })
    const view = await tx.savedView.upsert({
      where: { agentId_name: { agentId: agent.id, name } },
      create: { agentId: agent.id, name, query: queryString },
      update: { query: queryString },
      select: { id: true, name: true, query: true },
    })
    await recordEvents(ctx, tx, [
      { type: 'view.saved', actor: asAgent(agent), at: ctx.clock(), data: { viewId: view.id, name, query: queryString, replaced: Boolean(existing) } },
    ])
    return view
  })
}

const deleteViewSchema = z.object({ viewId: z.coerce.number().int().positive().max(2_147_483_647) })

/** Deletes one of the agent's own views; another agent's view is "not found" (its existence is not told). */
export async function deleteView(ctx: DomainContext, agent: Actor, input: { viewId: unknown }): Promise<{ name: string }> {
  const { viewId } = parseInput(deleteViewSchema, input)
  return transaction(ctx, async (tx) => {
    const view = await tx.savedView.findFirst({ where: { id: viewId, agentId: agent.id }, select: { id: true, name: true } })
    if (!view) throw new NotFoundError()
    await tx.savedView.delete({ where: { id: view.id } })
    await recordEvents(ctx, tx, [{ type: 'view.deleted', actor: asAgent(agent), at: ctx.clock(), data: { viewId: view.id, name: view.name } }])
    return { name: view.name }
  })
}
