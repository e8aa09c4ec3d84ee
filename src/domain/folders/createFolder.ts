import { z } from 'zod'
import { isLocale } from '../../i18n/catalogues.ts'
import { isTimeZone } from '../../i18n/format.ts'
import { schemaMessage } from '../../i18n/issueMessages.ts'
import type { Actor } from '../actor.ts'
import type { DomainContext } from '../context.ts'
import { ConflictError, parseInput } from '../errors.ts'
import { recordAdminEvent } from '../events/record.ts'
import { authorize, INSTANCE } from '../policy.ts'
import { loadSettings } from '../settings/settings.ts'
import { transaction } from '../transaction.ts'

/** The language of a folder's customers (a catalogue of locales/), unless theirs is known. */
export const folderLocale = z.string().trim().refine(isLocale, { message: 'validation.chooseLanguage' })
/** The time zone of the dates in a folder's customers' e-mails (IANA name). */
export const folderTimeZone = z.string().trim().refine(isTimeZone, { message: 'validation.chooseTimeZone' })

export const folderInput = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'validation.enterName')
    .max(80, schemaMessage('validation.useAtMost', { max: 80 })),
  locale: folderLocale.optional(),
  timeZone: folderTimeZone.optional(),
})

/** A new folder, last in the list; its language and time zone are the instance's defaults unless given. */
export async function createFolder(ctx: DomainContext, admin: Actor, input: z.input<typeof folderInput>) {
  authorize(admin, 'administer', INSTANCE)
  const wanted = parseInput(folderInput, input)
  return transaction(ctx, async (tx) => {
    if (await tx.folder.findFirst({ where: { name: { equals: wanted.name, mode: 'insensitive' } } }))
      throw new ConflictError('error.folderNameTaken', { name: wanted.name })
    const settings = await loadSettings(tx)
    const data = { name: wanted.name, locale: wanted.locale ?? settings.defaultLocale, timeZone: wanted.timeZone ?? settings.defaultTimeZone }
    const last = await tx.folder.aggregate({ _max: { position: true } })
    const folder = await tx.folder.create({ data: { ...data, position: (last._max.position ?? 0) + 1 } })
    await recordAdminEvent(tx, { type: 'folder.created', agentId: admin.id, at: ctx.clock(), target: { type: 'folder', id: String(folder.id) }, data })
    return folder
  })
}
