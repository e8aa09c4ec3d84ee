import type { Tx } from '../../db/database.ts'
import type { DomainContext } from '../context.ts'
import { ValidationError } from '../errors.ts'
import type { MessageKey } from '../../i18n/translate.ts'
import { sizeValues } from '../content/byteSize.ts'
import { loadSettings } from '../settings/settings.ts'
import { attachmentPath, storeAttachments } from '../attachments/storeAttachment.ts'
import { splitReplyHtml } from '../content/replyText/index.ts'
import {
  embedYouTubeLinks,
  extractDataImages,
  htmlToText,
  replaceImageSources,
  sanitizeMessageHtml,
  textToHtml,
  type RejectedImageCode,
} from '../content/index.ts'

export interface BodyInput {
  /** Rich text from the editor; sanitised here. */
  html?: string | undefined
  /** Plain text (the form without JavaScript, or a text-only e-mail). */
  text?: string | undefined
}

export interface UploadedFile {
  fileName: string
  data: Buffer
}

/** An image the sender put inline (pasted, or a cid: part of an e-mail). */
export interface InlineImage {
  contentId: string
  fileName: string
  data: Buffer
}

export interface PreparedBody {
  /** Sanitised HTML where inline images still point at cid:<contentId>. */
  html: string
  /** For a customer's e-mail, the HTML with its quoted history folded away; null when nothing folds. */
  visibleHtml?: string | null
  text: string
  inlineImages: InlineImage[]
}

/** A size as people read it: 900 B, 12 KB, 8 MB (English, for notes and logs; messages use sizeValues). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`
  const mb = bytes / 1024 / 1024
  return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`
}

/** A refused pasted image, said on the message field with the size limit. */
const IMAGE_FIELD_MESSAGES: Record<RejectedImageCode, MessageKey> = {
  'too-large': 'validation.imageTooLarge',
  'not-an-image': 'validation.imageNotAnImage',
  'too-many': 'validation.imageTooMany',
  unreadable: 'validation.imageUnreadable',
}

/** Sanitises a body and takes pasted images out of it; refuses what is over the size limit. */
export async function prepareBody(input: BodyInput, maxBytes: number): Promise<PreparedBody> {
  let safe = input.html?.trim() ? embedYouTubeLinks(sanitizeMessageHtml(input.html)) : ''
  let text = htmlToText(safe)
  // HTML that shows nothing once made safe (only a title, a remote image, empty parts) gives way
  // to the plain-text version, so that no words are lost.
  if (!text.trim() && !/<(img|iframe)\b/i.test(safe)) {
    safe = embedYouTubeLinks(textToHtml(input.text ?? ''))
    text = htmlToText(safe)
  }
  const { html, images, rejected } = await extractDataImages(safe, maxBytes)
  const refused = rejected[0]
  if (refused) {
    const body = { key: IMAGE_FIELD_MESSAGES[refused.code], values: { ...refused.reason.values, ...sizeValues('limit', maxBytes) } }
    throw new ValidationError(refused.reason.key, { body }, refused.reason.values)
  }
  const ext: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp' }
  return {
    html,
    // The text only changes when pasted images became cid: references (converting is costly on long mail).
    text: images.length ? htmlToText(html) : text,
    inlineImages: images.map((img, i) => ({ contentId: img.contentId, fileName: `image-${i + 1}.${ext[img.mimeType] ?? 'bin'}`, data: img.data })),
  }
}

/**
 * Folds the quoted history and signature out of a customer's message, once, when it arrives: the
 * conversation page shows the stored result and parses nothing.
 */
export function withFoldedQuotes(body: PreparedBody): PreparedBody {
  const { visible, folded } = splitReplyHtml(body.html)
  return { ...body, visibleHtml: folded.trim() ? visible : null }
}

/**
 * The opening of every command that adds a message: files within the size limit, the body made
 * safe (pasted images taken out), and, when `emptyMessage` is given, something actually written.
 * All of it before the transaction: none of it needs a lock.
 */
export async function readMessage(
  ctx: Pick<DomainContext, 'prisma'>,
  input: BodyInput,
  files: UploadedFile[],
  emptyMessage?: MessageKey,
): Promise<PreparedBody> {
  const settings = await loadSettings(ctx.prisma)
  assertFileSizes(files, settings.attachmentMaxBytes)
  const body = await prepareBody(input, settings.attachmentMaxBytes)
  if (emptyMessage && !hasContent(body) && files.length === 0) throw new ValidationError(emptyMessage, { body: { key: emptyMessage } })
  return body
}

/**
 * The opening of the commands that take a customer's message (e-mail, contact form, status page):
 * as readMessage, with the images the e-mail carried inline and its quoted history folded once.
 */
export async function readCustomerMessage(
  ctx: Pick<DomainContext, 'prisma'>,
  input: BodyInput & { inlineImages?: InlineImage[] },
  files: UploadedFile[],
): Promise<PreparedBody> {
  const settings = await loadSettings(ctx.prisma)
  assertFileSizes(files, settings.attachmentMaxBytes)
  const prepared = await prepareBody(input, settings.attachmentMaxBytes)
  const body = withFoldedQuotes({ ...prepared, inlineImages: [...prepared.inlineImages, ...(input.inlineImages ?? [])] })
  if (!body.text.trim() && files.length === 0 && body.inlineImages.length === 0)
    throw new ValidationError('validation.messageEmpty', { body: { key: 'validation.writeMessage' } })
  return body
}

export function hasContent(body: PreparedBody): boolean {
  return body.text.trim().length > 0 || body.inlineImages.length > 0 || /<(img|iframe)\b/i.test(body.html)
}

export function assertFileSizes(files: UploadedFile[], maxBytes: number) {
  const big = files.find((f) => f.data.length > maxBytes)
  if (big)
    throw new ValidationError(
      'error.fileTooLarge',
      { files: { key: 'validation.fileTooLarge', values: { name: big.fileName, ...sizeValues('size', big.data.length), ...sizeValues('max', maxBytes) } } },
      { name: big.fileName },
    )
}

/**
 * Stores inline images and attached files for a message and points the HTML at the stored
 * images. Returns the final HTML and the attachment rows (inline images first, then the files).
 */
export async function storeMessageFiles(tx: Tx, args: { conversationId: number; messageId: number; body: PreparedBody; files: UploadedFile[]; at: Date }) {
  const stored = await storeAttachments(tx, { conversationId: args.conversationId, messageId: args.messageId, at: args.at }, [
    ...args.body.inlineImages.map((img) => ({ data: img.data, fileName: img.fileName, inline: true, contentId: img.contentId })),
    ...args.files.map((f) => ({ data: f.data, fileName: f.fileName })),
  ])
  const byContentId = new Map<string, string>()
  for (const a of stored) if (a.inline && a.contentId !== null) byContentId.set(a.contentId, attachmentPath(a))
  const storedSource = (src: string) => (src.startsWith('cid:') ? (byContentId.get(src.slice(4)) ?? null) : src)
  const html = replaceImageSources(args.body.html, storedSource)
  const visibleHtml = args.body.visibleHtml ? replaceImageSources(args.body.visibleHtml, storedSource) : null
  return { html, visibleHtml, attachments: stored }
}

/**
 * The transaction options for storing a message with these files. Prisma's default limit (5 s)
 * fits a message with a few files; a large one (up to the inbound limit, 25 MB, or hundreds of
 * files) gets time in proportion, so that it never fails the same way on every retry.
 */
export function transactionOptionsFor(files: { data: Buffer }[]): { timeout: number } {
  const bytes = files.reduce((sum, f) => sum + f.data.length, 0)
  return { timeout: Math.min(60_000, 5_000 + Math.ceil(bytes / (1024 * 1024)) * 1_000 + files.length * 10) }
}

/** The start of a message, for list rows. */
export function snippetOf(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 160)
}

/** A list row's snippet for a public message: its start, else how many files it carries (data, left in English). */
export function messageSnippet(text: string, fileCount: number): string {
  return snippetOf(text) || (fileCount ? `(${fileCount} attachment${fileCount > 1 ? 's' : ''})` : '')
}
