import { Router, type Request, type Response } from 'express'
import { z } from 'zod'
import { ConflictError, NotFoundError, ValidationError } from '../../../domain/errors.ts'
import { FieldConflictError } from '../../../domain/folders/manageFolders.ts'
import { createTagStrict, deleteTag, listTagsForAdmin, TAG_COLOURS, updateTag } from '../../../domain/tags/manageTags.ts'
import type { AppContext } from '../../context.ts'
import { requireAdmin, requireAgent } from '../../middleware/auth.ts'
import type { MessageKey, Translate } from '../../../i18n/translate.ts'
import { flash } from '../../middleware/flash.ts'
import { errorText, fieldMessages } from '../../messages.ts'

const idParam = z.object({ id: z.coerce.number().int().positive().max(2_147_483_647) })
const tagIdOf = (req: Request) => {
  const parsed = idParam.safeParse(req.params)
  if (!parsed.success) throw new NotFoundError()
  return parsed.data.id
}
const text = (v: unknown) => (typeof v === 'string' ? v : '')

/** Field messages of a refused form; a conflict without a field goes on the name. */
function formErrors(t: Translate, err: unknown): { errors: Record<string, string>; status: number } | null {
  if (err instanceof FieldConflictError) return { errors: { [err.field]: errorText(t, err) }, status: 409 }
  if (err instanceof ValidationError)
    return { errors: Object.keys(err.fields).length ? fieldMessages(t, err.fields) : { name: errorText(t, err) }, status: 400 }
  if (err instanceof ConflictError) return { errors: { name: errorText(t, err) }, status: 409 }
  return null
}

const COLOUR_LABELS: Record<(typeof TAG_COLOURS)[number], MessageKey> = {
  slate: 'admin.colour.slate',
  red: 'admin.colour.red',
  orange: 'admin.colour.orange',
  amber: 'admin.colour.amber',
  green: 'admin.colour.green',
  teal: 'admin.colour.teal',
  blue: 'admin.colour.blue',
  indigo: 'admin.colour.indigo',
  purple: 'admin.colour.purple',
  pink: 'admin.colour.pink',
}

/** The palette as a picker offers it: each colour with its name in the reader's language. */
export const colourChoices = (t: Translate) => TAG_COLOURS.map((c) => ({ value: c, label: t(COLOUR_LABELS[c]) }))

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
      title: req.t('admin.tags.title'),
      nav: 'settings',
      colours: colourChoices(req.t),
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
      flash(req, 'success', 'admin.tags.created', { name: tag.name })
      res.redirect(303, '/settings/tags')
    } catch (err) {
      const form = formErrors(req.t, err)
      if (!form) throw err
      await renderList(req, res, form.status, { values, errors: form.errors })
    }
  })

  router.post('/settings/tags/:id', async (req, res) => {
    const id = tagIdOf(req)
    const values = { name: text(req.body?.name), colour: text(req.body?.colour) }
    try {
      const tag = await updateTag(ctx.domain, req.agent!, { ...values, tagId: id })
      if (tag.previousName !== tag.name) flash(req, 'success', 'admin.tags.renamed', { previous: tag.previousName, name: tag.name })
      else flash(req, 'success', 'admin.tags.saved', { name: tag.name })
      res.redirect(303, '/settings/tags')
    } catch (err) {
      const form = formErrors(req.t, err)
      if (!form) throw err
      await renderList(req, res, form.status, { editing: { id, values, errors: form.errors } })
    }
  })

  router.post('/settings/tags/:id/delete', async (req, res) => {
    const result = await deleteTag(ctx.domain, req.agent!, { tagId: tagIdOf(req) })
    flash(req, 'success', 'admin.tags.deleted', { name: result.name, count: result.conversations })
    res.redirect(303, '/settings/tags')
  })

  return router
}
