import type { NextFunction, Request, Response } from 'express'
import multer from 'multer'
import { loadSettings } from '../../domain/settings/settings.ts'
import { formatBytes, type UploadedFile } from '../../domain/conversations/messageBody.ts'
import type { AppContext } from '../context.ts'

declare global {
  namespace Express {
    interface Request {
      /** Set when an uploaded file was over the limit; the route shows it with the form kept. */
      uploadError?: string
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
      if (Number(req.headers['content-length'] ?? 0) > most) return res.status(413).type('text').send(`The form is larger than the ${formatBytes(most)} it may carry.`)
    }
    const upload = multer({
      storage: multer.memoryStorage(),
      defParamCharset: 'utf8',
      // The rich-text field carries pasted images as data: URLs, hence a field size above the file size.
      // Customers' forms carry plain text only: no bigger than a plain form may be.
      limits: req.agent
        ? { fileSize: attachmentMaxBytes, files: MAX_FILES, fieldSize: Math.ceil(attachmentMaxBytes * 1.4) * 4, fields: 50, parts: 80 }
        : { fileSize: attachmentMaxBytes, files: CUSTOMER_MAX_FILES, fieldSize: CUSTOMER_FIELD_BYTES, fields: CUSTOMER_FIELDS, parts: CUSTOMER_FIELDS + CUSTOMER_MAX_FILES },
    }).array('files', maxFiles)
    upload(req, res, (err?: unknown) => {
      if (err instanceof multer.MulterError) {
        req.body ??= {}
        req.uploadError =
          err.code === 'LIMIT_FILE_SIZE'
            ? `A file is larger than ${formatBytes(attachmentMaxBytes)}, the most the help desk accepts. Nothing was sent; your text is kept below.`
            : err.code === 'LIMIT_FILE_COUNT' || err.code === 'LIMIT_UNEXPECTED_FILE'
              ? `At most ${maxFiles} files can be attached at once. Nothing was sent; your text is kept below.`
              : 'The form could not be read completely. Nothing was sent; your text is kept below.'
        return next()
      }
      next(err)
    })
  }
}

/** The uploaded files of a request, as commands take them (empty files are ignored). */
export function uploadedFiles(req: Request): UploadedFile[] {
  const files = (req.files as Express.Multer.File[] | undefined) ?? []
  return files.filter((f) => f.size > 0).map((f) => ({ fileName: f.originalname, data: f.buffer }))
}
