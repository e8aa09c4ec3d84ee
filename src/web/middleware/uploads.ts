import type { NextFunction, Request, Response } from 'express'
import multer from 'multer'
import { loadSettings } from '../../domain/settings/settings.ts'
import { formatBytes, type UploadedFile } from '../../domain/conversations/messageBody.ts'
import type { AppContext } from '../context.ts'
import { quoted } from './errors.ts'

declare global {
  namespace Express {
    interface Request {
      /** Set when an uploaded file was over the limit; the route shows it with the form kept. */
      uploadError?: string
      /** The names of the files the form carried, as far as it was read: a refused form names them. */
      chosenFileNames?: string[]
      /** The file that was over the size limit, when one was. */
      oversizedFileName?: string
    }
  }
}

export const MAX_FILES = 20
/** Customers have no account: their forms may carry fewer files and small fields only. */
export const CUSTOMER_MAX_FILES = 5
const CUSTOMER_FIELD_BYTES = 1024 * 1024
const CUSTOMER_FIELDS = 10

/** Forms where customers, who have no account, may send files (rate-limited there). */
const CUSTOMER_UPLOAD_PATHS = /^\/(contact|s\/[^/]+\/messages)$/

/**
 * Parses multipart forms before the CSRF check (which needs the form's token) and only for
 * signed-in agents and the customer forms, so nobody else can make the server buffer files. A file over the size limit
 * does not fail the request: the route gets `uploadError` and the fields read so far (forms put
 * the token and the text before the files).
 */
export function parseMultipart(ctx: AppContext) {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (!req.is('multipart/form-data')) return next()
    if (!req.agent && !CUSTOMER_UPLOAD_PATHS.test(req.path)) return res.status(403).json({ error: 'Sign in first' })
    const { attachmentMaxBytes } = await loadSettings(ctx.db.prisma)
    const maxFiles = req.agent ? MAX_FILES : CUSTOMER_MAX_FILES
    if (!req.agent) {
      // Buffered before the CSRF, link and rate-limit checks: a declared size beyond what the form
      // can legitimately carry is refused before a byte of it is read.
      const most = maxFiles * attachmentMaxBytes + CUSTOMER_FIELDS * CUSTOMER_FIELD_BYTES
      if (Number(req.headers['content-length'] ?? 0) > most)
        return res
          .status(413)
          .type('text')
          .send(`The form is larger than the ${formatBytes(most)} it may carry.`)
    }
    const chosen: string[] = (req.chosenFileNames = [])
    const upload = multer({
      storage: multer.memoryStorage(),
      // Accepts every file; only notes its name, which stays known even when the upload is refused.
      fileFilter: (_req, file, accept) => {
        if (file.originalname) chosen.push(file.originalname)
        accept(null, true)
      },
      defParamCharset: 'utf8',
      // The rich-text field carries pasted images as data: URLs, hence a field size above the file size.
      // Customers' forms carry plain text only: no bigger than a plain form may be.
      limits: req.agent
        ? { fileSize: attachmentMaxBytes, files: MAX_FILES, fieldSize: Math.ceil(attachmentMaxBytes * 1.4) * 4, fields: 50, parts: 80 }
        : {
            fileSize: attachmentMaxBytes,
            files: CUSTOMER_MAX_FILES,
            fieldSize: CUSTOMER_FIELD_BYTES,
            fields: CUSTOMER_FIELDS,
            parts: CUSTOMER_FIELDS + CUSTOMER_MAX_FILES,
          },
    }).array('files', maxFiles)
    upload(req, res, (err?: unknown) => {
      if (err instanceof multer.MulterError) {
        req.body ??= {}
        if (err.code === 'LIMIT_FILE_SIZE') req.oversizedFileName = (err as { filename?: string }).filename ?? chosen.at(-1)
        req.uploadError =
          err.code === 'LIMIT_FILE_SIZE'
            ? `${req.oversizedFileName ? quoted(req.oversizedFileName) : 'A file'} is larger than ${formatBytes(attachmentMaxBytes)}, the most the help desk accepts. Nothing was sent; your text is kept below.`
            : err.code === 'LIMIT_FILE_COUNT' || err.code === 'LIMIT_UNEXPECTED_FILE'
              ? `At most ${maxFiles} files can be attached at once. Nothing was sent; your text is kept below.`
              : 'The form could not be read completely. Nothing was sent; your text is kept below.'
        return next()
      }
      next(err)
    })
  }
}

const MOST_NAMES_LISTED = 5

function listOfNames(names: string[]): string {
  const shown = names.slice(0, MOST_NAMES_LISTED).map(quoted)
  const others = names.length - shown.length
  if (others > 0) shown.push(`${others} other file${others === 1 ? '' : 's'}`)
  return shown.length === 1 ? shown[0]! : `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}`
}

/**
 * Browsers never refill a file input: when a form that carried files is refused, this says which
 * files to choose again (null when it carried none). The files after an oversized one were never
 * read, so then only those before it can be named.
 */
export function filesToChooseAgain(req: Request): string | null {
  const oversized = req.oversizedFileName
  const again = (req.chosenFileNames ?? []).filter((name) => name !== oversized)
  const why = 'a form that is refused cannot keep its files.'
  if (oversized)
    return `Leave out ${quoted(oversized)} and choose ${again.length ? `${listOfNames(again)} and any other files` : 'any other files'} again: ${why}`
  if (!again.length) return null
  return `Choose ${listOfNames(again)} again: ${why}`
}

/** The uploaded files of a request, as commands take them (empty files are ignored). */
export function uploadedFiles(req: Request): UploadedFile[] {
  const files = (req.files as Express.Multer.File[] | undefined) ?? []
  return files.filter((f) => f.size > 0).map((f) => ({ fileName: f.originalname, data: f.buffer }))
}
