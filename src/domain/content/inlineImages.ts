import sanitizeHtml from 'sanitize-html'
import { fileTypeFromBuffer } from 'file-type'
import type { Message, MessageKey } from '../../i18n/translate.ts'
import { sizeValues } from './byteSize.ts'

/** At most this many pictures are taken out of one message; the rest are removed and reported. */
export const MAX_INLINE_IMAGES = 20

/** Picture types kept, by the type sniffed from the bytes (never by the type the data: URL claims). */
const KEPT_TYPES: Record<string, string> = {
  'image/png': 'image/png',
  'image/apng': 'image/png',
  'image/jpeg': 'image/jpeg',
  'image/gif': 'image/gif',
  'image/webp': 'image/webp',
}

export interface InlineImage {
  /** Unique within one extractDataImages call: inline-1, inline-2, … The HTML refers to it as `cid:<contentId>`. */
  contentId: string
  data: Buffer
  mimeType: string
}

export type RejectedImageCode = 'too-large' | 'not-an-image' | 'too-many' | 'unreadable'

export interface RejectedImage {
  /** What can be said to the person who wrote the message (`error.image…`, with the image's number and sizes). */
  reason: Message
  code: RejectedImageCode
}

/** The sentence for each reason an image is left out. */
const REASONS: Record<RejectedImageCode, MessageKey> = {
  'too-large': 'error.imageTooLarge',
  'not-an-image': 'error.imageNotAnImage',
  'too-many': 'error.imageTooMany',
  unreadable: 'error.imageUnreadable',
}

export interface ExtractedImages {
  html: string
  images: InlineImage[]
  rejected: RejectedImage[]
}

/**
 * Rewrites the src of every <img> through `map`; null removes the image. Everything else is written
 * back as it was parsed: this does not sanitise, so give it sanitised HTML (or sanitise afterwards).
 */
export function replaceImageSources(html: string, map: (src: string) => string | null): string {
  if (html === '') return ''
  const dropped = new WeakSet<sanitizeHtml.Attributes>()
  return sanitizeHtml(html, {
    allowedTags: false,
    allowedAttributes: false,
    allowVulnerableTags: true,
    disallowedTagsMode: 'discard',
    parseStyleAttributes: false,
    allowedSchemesAppliedToAttributes: [],
    nonBooleanAttributes: [],
    allowProtocolRelative: true,
    transformTags: {
      img: (tagName, attribs) => {
        if (attribs.src === undefined) return { tagName, attribs }
        const src = map(attribs.src)
        if (src === null) {
          dropped.add(attribs)
          return { tagName, attribs }
        }
        return { tagName, attribs: { ...attribs, src } }
      },
    },
    exclusiveFilter: (frame) => dropped.has(frame.attribs),
  })
}

const DATA_URL = /^\s*data:([^,]*),([\s\S]*)$/i

type Decision = { contentId: string } | null

/**
 * Takes the pictures pasted into a message as base64 `data:` URLs out of its HTML: each becomes
 * `cid:inline-N` in the HTML and an entry in `images`, ready to be stored as an attachment. The
 * bytes decide the type: only PNG, JPEG, GIF and WebP are kept. Any other `data:` image, one whose
 * bytes are larger than `maxBytes`, and those past the first MAX_INLINE_IMAGES are removed from
 * the HTML and listed in `rejected`. Identical pictures are stored once.
 */
export async function extractDataImages(html: string, maxBytes: number): Promise<ExtractedImages> {
  const sources: string[] = []
  const seen = new Set<string>()
  replaceImageSources(html, (src) => {
    if (DATA_URL.test(src) && !seen.has(src)) {
      seen.add(src)
      sources.push(src)
    }
    return src
  })
  if (sources.length === 0) return { html, images: [], rejected: [] }

  const decisions = new Map<string, Decision>()
  const images: InlineImage[] = []
  const rejected: RejectedImage[] = []
  const reject = (src: string, code: RejectedImageCode, values: Message['values']) => {
    decisions.set(src, null)
    rejected.push({ code, reason: { key: REASONS[code], values } })
  }

  for (const [index, src] of sources.entries()) {
    const n = index + 1
    const match = DATA_URL.exec(src)
    const params = (match?.[1] ?? '').split(';').map((p) => p.trim().toLowerCase())
    const payload = (match?.[2] ?? '').replace(/\s+/g, '')
    if (!params.includes('base64') || !/^[A-Za-z0-9+/]*={0,2}$/.test(payload) || payload.length % 4 === 1) {
      reject(src, 'unreadable', { n })
      continue
    }
    const padding = payload.endsWith('==') ? 2 : payload.endsWith('=') ? 1 : 0
    const size = Math.floor((payload.length * 3) / 4) - padding
    if (size > maxBytes) {
      reject(src, 'too-large', { n, ...sizeValues('size', size), ...sizeValues('max', maxBytes) })
      continue
    }
    if (images.length >= MAX_INLINE_IMAGES) {
      reject(src, 'too-many', { n, most: MAX_INLINE_IMAGES })
      continue
    }
    const data = Buffer.from(payload, 'base64')
    const sniffed = data.length > 0 ? await fileTypeFromBuffer(data) : undefined
    const mimeType = sniffed ? KEPT_TYPES[sniffed.mime] : undefined
    if (!mimeType) {
      reject(src, 'not-an-image', { n })
      continue
    }
    const contentId = `inline-${images.length + 1}`
    images.push({ contentId, data, mimeType })
    decisions.set(src, { contentId })
  }

  const out = replaceImageSources(html, (src) => {
    if (!DATA_URL.test(src)) return src
    const decision = decisions.get(src)
    return decision ? `cid:${decision.contentId}` : null
  })
  return { html: out, images, rejected }
}
