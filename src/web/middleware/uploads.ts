import type { NextFunction, Request, Response } from 'express'
import multer from 'multer'
import { loadSettings } from '../../domain/settings/settings.ts'
import type { UploadedFile } from '../../domain/conversations/messageBody.ts'
import { sizeValues } from '../../domain/content/byteSize.ts'
import { typedValue } from '../../i18n/issueMessages.ts'
import type { Message } from '../../i18n/translate.ts'
import type { AppContext } from '../context.ts'

declare global {
  namespace Express {
    interface Request {
      /**
       * Set when an uploaded file was over the limit; the route shows it with the form kept. Read-only:
       * the sentence of `uploadProblem` in the page's language as it is when read (a status page
       * switches to the conversation's language after the upload was parsed).
       */
      readonly uploadError?: string
      /** What was wrong with the upload, as a message of the catalogues. */
      uploadProblem?: Message
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
    if (!req.agent && !CUSTOMER_UPLOAD_PATHS.test(req.path)) return res.status(403).json({ error: req.t('error.signInFirst') })
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
          .send(req.t('error.upload.formTooLarge', sizeValues('max', most)))
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
        const max = sizeValues('max', attachmentMaxBytes)
        setUploadProblem(
          req,
          err.code === 'LIMIT_FILE_SIZE'
            ? req.oversizedFileName
              ? { key: 'error.upload.fileTooLarge', values: { name: typedValue(req.oversizedFileName), ...max } }
              : { key: 'error.upload.aFileTooLarge', values: max }
            : err.code === 'LIMIT_FILE_COUNT' || err.code === 'LIMIT_UNEXPECTED_FILE'
              ? { key: 'error.upload.tooManyFiles', values: { max: maxFiles } }
              : { key: 'error.upload.unreadable' },
        )
        return next()
      }
      next(err)
    })
  }
}

/** Records what was wrong with the upload; `uploadError` says it in the language of the request when read. */
function setUploadProblem(req: Request, problem: Message) {
  req.uploadProblem = problem
  Object.defineProperty(req, 'uploadError', { configurable: true, enumerable: true, get: () => req.t(problem.key, problem.values) })
}

const MOST_NAMES_LISTED = 5

/** “a.pdf”, “b.png” and 3 other files: quoted and joined as the reader's language lists things. */
function listOfNames(req: Request, names: string[]): string {
  const shown = names.slice(0, MOST_NAMES_LISTED).map((name) => req.t('error.upload.fileName', { name: typedValue(name) }))
  const others = names.length - shown.length
  if (others > 0) shown.push(req.t('error.upload.otherFiles', { count: others }))
  return new Intl.ListFormat(req.locale, { style: 'long', type: 'conjunction' }).format(shown)
}

/**
 * Browsers never refill a file input: when a form that carried files is refused, this says which
 * files to choose again (null when it carried none). The files after an oversized one were never
 * read, so then only those before it can be named.
 */
export function filesToChooseAgain(req: Request): string | null {
  const oversized = req.oversizedFileName
  const again = (req.chosenFileNames ?? []).filter((name) => name !== oversized)
  if (oversized) {
    const name = typedValue(oversized)
    return again.length ? req.t('error.upload.leaveOutAndChoose', { name, files: listOfNames(req, again) }) : req.t('error.upload.leaveOut', { name })
  }
  if (!again.length) return null
  return req.t('error.upload.chooseAgain', { files: listOfNames(req, again) })
}

/** The uploaded files of a request, as commands take them (empty files are ignored). */
export function uploadedFiles(req: Request): UploadedFile[] {
  const files = (req.files as Express.Multer.File[] | undefined) ?? []
  return files.filter((f) => f.size > 0).map((f) => ({ fileName: f.originalname, data: f.buffer }))
}
