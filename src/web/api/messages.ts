import type { Request, Response } from 'express'
import multer from 'multer'
import { z } from 'zod'
import { findVisibleAttachment } from '../../domain/attachments/findVisibleAttachment.ts'
import { findApiMessage, listApiMessages, visibleConversationByNumber } from '../../domain/conversations/apiConversation.ts'
import { addInternalComment } from '../../domain/conversations/commands/addInternalComment.ts'
import { onVersion } from '../../domain/conversations/version.ts'
import { sizeValues } from '../../domain/content/byteSize.ts'
import { ValidationError } from '../../domain/errors.ts'
import { folderScope } from '../../domain/policy.ts'
import { loadSettings } from '../../domain/settings/settings.ts'
import { typedValue } from '../../i18n/issueMessages.ts'
import { sendAttachment } from '../sendAttachment.ts'
import { Message, messageJson } from './conversationSchemas.ts'
import { cursorParam, decodeCursor, encodeCursor, limitParam, messageAnswer, numberParams } from './conversations.ts'
import { operation, pageOf, type AnyOperation } from './operation.ts'
import { problem, sendProblem } from './problem.ts'

const id = z.coerce.number().int().positive().max(2_147_483_647)

const pageQuery = z.object({ limit: limitParam, after: cursorParam })

const uploadBody = z.object({
  text: z.string().max(1_000_000).optional().meta({ description: 'A comment to go with the file (optional).' }),
})

/** What multer made of an upload: the file and fields, or why it was refused. */
type Upload = { ok: true; file: Express.Multer.File | undefined; fields: Record<string, unknown> } | { ok: false; code: string; fileName?: string }

/**
 * The API router is mounted before the app's multipart parser (which serves signed-in pages), so
 * an upload is read here, once the token and its scope were checked: one file at most, within
 * the attachment size limit, a few small fields.
 */
function readUpload(req: Request, res: Response, maxBytes: number): Promise<Upload> {
  const parse = multer({
    storage: multer.memoryStorage(),
    defParamCharset: 'utf8',
    limits: { fileSize: maxBytes, files: 1, fields: 5, fieldSize: 1_100_000, parts: 6 },
  }).single('file')
  return new Promise((resolve, reject) =>
    parse(req, res, (err?: unknown) => {
      if (err instanceof multer.MulterError) return resolve({ ok: false, code: err.code, fileName: (err as { filename?: string }).filename })
      if (err) return reject(err)
      resolve({ ok: true, file: req.file, fields: (req.body ?? {}) as Record<string, unknown> })
    }),
  )
}

export const messageOperations: AnyOperation[] = [
  operation({
    method: 'get',
    path: '/conversations/{number}/messages',
    operationId: 'listMessages',
    summary: 'List a conversation’s thread',
    description: 'Its messages and internal comments in order, oldest first, each with its files.',
    tag: 'Messages',
    scope: 'read',
    params: numberParams,
    query: pageQuery,
    responses: { 200: { description: 'A page of the thread.', schema: pageOf(Message).meta({ id: 'MessagePage' }) } },
    async handler({ ctx, agent, params, query }) {
      const raw = query.after ? decodeCursor(query.after) : null
      const [ms, lastId] = raw ? raw.split('_').map(Number) : []
      const page = await listApiMessages(ctx.db.prisma, agent, params.number, {
        after: raw ? { createdAt: new Date(ms!), id: lastId! } : undefined,
        limit: query.limit,
      })
      return {
        body: { items: page.items.map(messageJson), next: page.next ? encodeCursor(`${page.next.createdAt.getTime()}_${page.next.id}`) : null },
      }
    },
  }),
  operation({
    method: 'get',
    path: '/messages/{messageId}',
    operationId: 'getMessage',
    summary: 'Get a message',
    tag: 'Messages',
    scope: 'read',
    params: z.object({ messageId: id }),
    responses: { 200: { description: 'The message.', schema: Message } },
    async handler({ ctx, agent, params }) {
      return { body: messageJson(await findApiMessage(ctx.db.prisma, agent, params.messageId)) }
    },
  }),
  operation({
    method: 'get',
    path: '/attachments/{attachmentId}',
    operationId: 'downloadAttachment',
    summary: 'Download a file',
    description: 'The file’s bytes, as a download (its type is the attachment’s `mimeType`).',
    tag: 'Messages',
    scope: 'read',
    params: z.object({ attachmentId: id }),
    responses: {
      200: {
        description: 'The file.',
        contentType: 'application/octet-stream',
        headers: { 'Content-Disposition': 'attachment, with the file’s name.' },
      },
    },
    async handler({ ctx, agent, params, res }) {
      const scope = await folderScope(ctx.db.prisma, agent)
      const { attachment, data } = await findVisibleAttachment(ctx.db.prisma, scope, params.attachmentId)
      // Always a download of plain bytes: an API client has no use for a page that shows it.
      sendAttachment(res, { fileName: attachment.fileName, mimeType: 'application/octet-stream' }, data, true)
    },
  }),
  operation({
    method: 'post',
    path: '/conversations/{number}/attachments',
    operationId: 'uploadAttachment',
    summary: 'Upload a file',
    description:
      'multipart/form-data with the file in `file`: it is attached to a new internal comment (with `text`, if given), so the team sees it in the thread and the customer does not. To send files to a customer, attach them from the app.',
    tag: 'Messages',
    scope: 'write',
    upload: true,
    params: numberParams,
    body: uploadBody,
    responses: { 201: { description: 'The comment carrying the file (its `attachments`).', schema: Message, headers: { Location: 'The comment’s address.' } } },
    async readBody(ctx, req, res) {
      const { attachmentMaxBytes } = await loadSettings(ctx.db.prisma)
      res.locals.upload = await readUpload(req, res, attachmentMaxBytes)
      res.locals.attachmentMaxBytes = attachmentMaxBytes
    },
    async handler({ ctx, agent, params, req, res, t, ifMatch }) {
      const conversation = await visibleConversationByNumber(ctx.db.prisma, agent, params.number)
      const upload = res.locals.upload as Upload
      const attachmentMaxBytes = res.locals.attachmentMaxBytes as number
      if (!upload.ok) {
        if (upload.code === 'LIMIT_FILE_SIZE') {
          const max = sizeValues('max', attachmentMaxBytes)
          const detail = upload.fileName ? t('error.upload.fileTooLarge', { name: typedValue(upload.fileName), ...max }) : t('error.upload.aFileTooLarge', max)
          return sendProblem(req, res, problem('payload-too-large', detail))
        }
        const detail =
          upload.code === 'LIMIT_FILE_COUNT' || upload.code === 'LIMIT_UNEXPECTED_FILE'
            ? t('error.upload.tooManyFiles', { max: 1 })
            : t('error.upload.unreadable')
        return sendProblem(req, res, problem('validation-failed', detail, [{ pointer: '/body/file', detail }]))
      }
      const fields = uploadBody.safeParse(upload.fields)
      if (!fields.success) throw fields.error
      if (!upload.file || upload.file.size === 0) {
        throw new ValidationError('api.conversations.fileMissing', { file: { key: 'api.conversations.fileMissing' } })
      }
      const { message } = await addInternalComment(onVersion(ctx.domain, ifMatch), agent, {
        conversationId: conversation.id,
        text: fields.data.text,
        files: [{ fileName: upload.file.originalname, data: upload.file.buffer }],
      })
      return messageAnswer(ctx, agent, message.id)
    },
  }),
]
