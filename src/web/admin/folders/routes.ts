import { Router, type Request, type Response } from 'express'
import { z } from 'zod'
import { ConflictError, NotFoundError, ValidationError } from '../../../domain/errors.ts'
import { ACKNOWLEDGEMENTS_PER_ADDRESS_PER_DAY, DEFAULT_ACKNOWLEDGEMENT } from '../../../domain/conversations/commands/startCustomerConversation.ts'
import { createFolder, deleteFolder, FieldConflictError, listFoldersForAdmin, moveFolder, updateFolder } from '../../../domain/folders/manageFolders.ts'
import { getFolderForAdmin, listFolderChoices } from '../../../domain/folders/folderQueries.ts'
import type { AppContext } from '../../context.ts'
import { requireAdmin, requireAgent } from '../../middleware/auth.ts'
import { languageOptions } from '../../../i18n/catalogues.ts'
import { timeZones } from '../../../i18n/format.ts'
import type { Translate } from '../../../i18n/translate.ts'
import { flash } from '../../middleware/flash.ts'
import { errorText, fieldMessages } from '../../messages.ts'
import { WEEKDAYS } from '../../../domain/reports/businessHours.ts'
import { businessHoursField, businessHoursInput, businessHoursTyped, businessHoursValues, closedField, closeField, openField } from './businessHoursForm.ts'

const idParam = z.object({ id: z.coerce.number().int().positive().max(2_147_483_647) })
const folderIdOf = (req: Request) => {
  const parsed = idParam.safeParse(req.params)
  if (!parsed.success) throw new NotFoundError()
  return parsed.data.id
}
const text = (v: unknown) => (typeof v === 'string' ? v : '')
/** A field the form may leave out: absent stays absent (the folder keeps what it has). */
const optionalText = (v: unknown) => (v === undefined ? undefined : text(v))

/** Errors a form can show: field messages, or a conflict placed next to its field (else on top). */
function formErrors(t: Translate, err: unknown): { errors: Record<string, string>; message: string | null; status: number } | null {
  if (err instanceof FieldConflictError) return { errors: { [err.field]: errorText(t, err) }, message: null, status: 409 }
  if (err instanceof ValidationError)
    return { errors: fieldMessages(t, err.fields), message: Object.keys(err.fields).length ? null : errorText(t, err), status: 400 }
  if (err instanceof ConflictError) return { errors: {}, message: errorText(t, err), status: 409 }
  return null
}

/** Field messages of the folder form: those about business hours go to the time or list they are about (the first one each). */
function folderFormErrors(errors: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, message] of Object.entries(errors)) {
    const field = businessHoursField(name) ?? name
    out[field] ??= message
  }
  return out
}

/** Settings › Folders: create, rename, order, inbound address, signature, language and time zone, ratings, business hours, delete (SPEC §4). */
export function foldersAdminRouter(ctx: AppContext): Router {
  const router = Router()
  router.use('/settings/folders', requireAgent, requireAdmin)

  async function renderList(req: Request, res: Response, status: number, values: Record<string, string>, errors: Record<string, string>) {
    const names = new Map(languageOptions().map((l) => [l.code, l.name]))
    // A language no longer offered is shown by its code.
    const folders = (await listFoldersForAdmin(ctx.domain, req.agent!)).map((f) => ({ ...f, languageName: names.get(f.locale) ?? f.locale }))
    res.status(status).render('admin/folders', { title: req.t('admin.folders.title'), nav: 'settings', folders, values, errors })
  }

  router.get('/settings/folders', (req, res) => renderList(req, res, 200, { name: '' }, {}))

  // The short form on /settings posts to /settings/folders; this page's own form posts here.
  router.post('/settings/folders/new', async (req, res) => {
    const name = text(req.body?.name)
    try {
      const folder = await createFolder(ctx.domain, req.agent!, { name })
      flash(req, 'success', 'admin.folders.created', { name: folder.name })
      res.redirect(303, '/settings/folders')
    } catch (err) {
      const form = formErrors(req.t, err)
      if (!form) throw err
      await renderList(req, res, form.status, { name }, { ...form.errors, ...(form.message ? { name: form.message } : {}) })
    }
  })

  router.post('/settings/folders/:id/move', async (req, res) => {
    const id = folderIdOf(req)
    const direction = text(req.body?.direction)
    const { moved, folders } = await moveFolder(ctx.domain, req.agent!, { folderId: id, direction: direction as 'up' | 'down' })
    const folder = folders.find((f) => f.id === id)
    if (moved && folder) flash(req, 'success', 'admin.folders.moved', { name: folder.name, direction })
    else if (folder) flash(req, 'info', 'admin.folders.alreadyThere', { name: folder.name, direction })
    res.redirect(303, '/settings/folders')
  })

  interface EditState {
    values?: Record<string, string | boolean | undefined>
    errors?: Record<string, string>
    message?: string | null
    deleteErrors?: Record<string, string>
    deleteMessage?: string | null
  }

  async function renderEdit(req: Request, res: Response, status: number, state: EditState = {}) {
    const id = folderIdOf(req)
    const [folder, others] = await Promise.all([getFolderForAdmin(ctx.domain, req.agent!, id), listFolderChoices(ctx.domain, req.agent!, { except: id })])
    res.status(status).render('admin/folder-edit', {
      title: req.t('admin.folderEdit.title', { name: folder.name }),
      nav: 'settings',
      folder: {
        id: folder.id,
        name: folder.name,
        isDefault: folder.isDefault,
        conversations: folder.conversations,
        members: folder.members,
        imapAccounts: folder.imapAccounts,
      },
      others,
      // What was sent, over what is stored (a form without the language or the zone keeps them).
      values: {
        name: folder.name,
        inboundAddress: folder.inboundAddress ?? '',
        signatureHtml: folder.signatureHtml,
        acknowledge: folder.acknowledge,
        acknowledgementText: folder.acknowledgementText,
        locale: folder.locale,
        timeZone: folder.timeZone,
        ratingsEnabled: folder.ratingsEnabled,
        ...businessHoursValues(folder.businessHours),
        ...Object.fromEntries(Object.entries(state.values ?? {}).filter(([, v]) => v !== undefined)),
      },
      languages: languageOptions(),
      zones: timeZones(),
      weekdays: WEEKDAYS.map((day) => ({
        name: req.t(`admin.folderHours.weekday.${day}`),
        open: openField(day),
        close: closeField(day),
        closed: closedField(day),
      })),
      defaultAcknowledgement: DEFAULT_ACKNOWLEDGEMENT,
      acknowledgementLimit: ACKNOWLEDGEMENTS_PER_ADDRESS_PER_DAY,
      errors: state.errors ?? {},
      message: state.message ?? null,
      deleteErrors: state.deleteErrors ?? {},
      deleteMessage: state.deleteMessage ?? null,
    })
  }

  router.get('/settings/folders/:id', (req, res) => renderEdit(req, res, 200))

  router.post('/settings/folders/:id', async (req, res) => {
    const id = folderIdOf(req)
    const values = {
      name: text(req.body?.name),
      inboundAddress: text(req.body?.inboundAddress),
      signatureHtml: text(req.body?.signatureHtml),
      acknowledge: req.body?.acknowledge === 'on',
      acknowledgementText: text(req.body?.acknowledgementText),
      locale: optionalText(req.body?.locale),
      timeZone: optionalText(req.body?.timeZone),
      ratingsEnabled: req.body?.ratingsEnabled === 'on',
    }
    // A form without the business hours fieldset leaves them as they are.
    const hours = businessHoursTyped(req.body)
    try {
      const folder = await updateFolder(ctx.domain, req.agent!, { ...values, ...(hours ? { businessHours: businessHoursInput(hours) } : {}), folderId: id })
      flash(req, 'success', 'admin.folders.saved', { name: folder.name })
      res.redirect(303, `/settings/folders/${id}`)
    } catch (err) {
      const form = formErrors(req.t, err)
      if (!form) throw err
      await renderEdit(req, res, form.status, { values: { ...values, ...hours }, errors: folderFormErrors(form.errors), message: form.message })
    }
  })

  router.post('/settings/folders/:id/delete', async (req, res) => {
    const id = folderIdOf(req)
    try {
      const result = await deleteFolder(ctx.domain, req.agent!, { folderId: id, moveTo: text(req.body?.moveTo) })
      if (result.movedTo && result.moved)
        flash(req, 'success', 'admin.folders.deletedMoved', { name: result.name, count: result.moved, target: result.movedTo.name })
      else flash(req, 'success', 'admin.folders.deleted', { name: result.name })
      res.redirect(303, '/settings/folders')
    } catch (err) {
      const form = formErrors(req.t, err)
      if (!form) throw err
      await renderEdit(req, res, form.status, { deleteErrors: form.errors, deleteMessage: form.message })
    }
  })

  return router
}
