import { Router, type Request, type Response } from 'express'
import { z } from 'zod'
import { ConflictError, NotFoundError, ValidationError } from '../../../domain/errors.ts'
import { FieldConflictError } from '../../../domain/folders/manageFolders.ts'
import { createTagStrict, deleteTag, listTagsForAdmin, TAG_COLOURS, updateTag } from '../../../domain/tags/manageTags.ts'
import type { AppContext } from '../../context.ts'
import { requireAdmin, requireAgent } from '../../middleware/auth.ts'
import { flash } from '../../middleware/flash.ts'

const idParam = z.object({ id: z.coerce.number().int().positive().max(2_147_483_647) })
const tagIdOf = (req: Request) => {
  const parsed = idParam.safeParse(req.params)
  if (!parsed.success) throw new NotFoundError()
  return parsed.data.id
}
const text = (v: unknown) => (typeof v === 'string' ? v : '')

/** Field messages of a refused form; a conflict without a field goes on the name. */
function formErrors(err: unknown): { errors: Record<string, string>; status: number } | null {
  if (err instanceof FieldConflictError) return { errors: { [err.field]: err.message }, status: 409 }
  if (err instanceof ValidationError) return { errors: Object.keys(err.fields).length ? err.fields : { name: err.message }, status: 400 }
  if (err instanceof ConflictError) return { errors: { name: err.message }, status: 409 }
  return null
}

const COLOUR_LABELS = Object.fromEntries(TAG_COLOURS.map((c) => [c, c.charAt(0).toUpperCase() + c.slice(1)]))

/** Settings › Tags: create, rename, colour, delete (removed from conversations, recorded). */
export function tagsAdminRouter(ctx: AppContext): Router {
  const router = Router()
  router.use('/settings/tags', requireAgent, requireAdmin)

  interface ListState {
    /** The create form's values and errors. */
    values?: Record<string, string>
    errors?: Record<string, string>
    /** A refused edit of one row: its id, what was typed, and the messages. */
    editing?: { id: number; values: Record<string, string>; errors: Record<string, string> }
  }

  async function renderList(req: Request, res: Response, status: number, state: ListState = {}) {
    const tags = await listTagsForAdmin(ctx.domain, req.agent!)
    res.status(status).render('admin/tags', {
      title: 'Tags',
      nav: 'settings',
      colours: TAG_COLOURS.map((c) => ({ value: c, label: COLOUR_LABELS[c] })),
      tags: tags.map((t) => {
        const edit = state.editing?.id === t.id ? state.editing : null
        return {
          id: t.id,
          name: t.name,
          colour: t.colour,
          conversations: t._count.conversations,
          values: edit?.values ?? { name: t.name, colour: t.colour },
          errors: edit?.errors ?? {},
        }
      }),
      values: state.values ?? { name: '', colour: 'slate' },
      errors: state.errors ?? {},
    })
  }

  router.get('/settings/tags', (req, res) => renderList(req, res, 200))

  // The short form on /settings posts to /settings/tags; this page's own form posts here.
  router.post('/settings/tags/new', async (req, res) => {
    const values = { name: text(req.body?.name), colour: text(req.body?.colour) }
    try {
      const tag = await createTagStrict(ctx.domain, req.agent!, values)
      flash(req, 'success', `Tag “${tag.name}” created.`)
      res.redirect(303, '/settings/tags')
    } catch (err) {
      const form = formErrors(err)
      if (!form) throw err
      await renderList(req, res, form.status, { values, errors: form.errors })
    }
  })

  router.post('/settings/tags/:id', async (req, res) => {
    const id = tagIdOf(req)
    const values = { name: text(req.body?.name), colour: text(req.body?.colour) }
    try {
      const tag = await updateTag(ctx.domain, req.agent!, { ...values, tagId: id })
      flash(req, 'success', tag.previousName !== tag.name ? `Tag “${tag.previousName}” renamed to “${tag.name}”.` : `Tag “${tag.name}” saved.`)
      res.redirect(303, '/settings/tags')
    } catch (err) {
      const form = formErrors(err)
      if (!form) throw err
      await renderList(req, res, form.status, { editing: { id, values, errors: form.errors } })
    }
  })

  router.post('/settings/tags/:id/delete', async (req, res) => {
    const result = await deleteTag(ctx.domain, req.agent!, { tagId: tagIdOf(req) })
    flash(
      req,
      'success',
      result.conversations === 0
        ? `Tag “${result.name}” deleted.`
        : `Tag “${result.name}” deleted and removed from ${result.conversations === 1 ? '1 conversation' : `${result.conversations.toLocaleString('en')} conversations`}.`,
    )
    res.redirect(303, '/settings/tags')
  })

  return router
}
