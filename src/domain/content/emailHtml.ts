import sanitizeHtml from 'sanitize-html'
import { messageSanitizeOptions, sanitizeMessageHtml, youTubeEmbedIdFrom, youTubeWatchUrl } from './sanitize.ts'

// Only written by the transform below and replaced before returning; sanitizeMessageHtml removes
// it from any input, so a message cannot bring its own.
const VIDEO_MARKER = 'x-suivi-youtube'
const VIDEO_MARKER_HTML = new RegExp(`<${VIDEO_MARKER} data-video="([\\w-]{11})"></${VIDEO_MARKER}>`, 'g')

const ATTACHMENT_PATH = /^\/attachments\/(\d+)(?:\/|$)/

function videoThumbnailHtml(id: string): string {
  return `<a href="${youTubeWatchUrl(id)}">` + `<img src="https://img.youtube.com/vi/${id}/hqdefault.jpg" alt="Play the video on YouTube" width="480">` + '</a>'
}

/**
 * Which <ol>s, in document order, hold only Quill bullet items (`<li data-list="bullet">`). Mail
 * clients do not have Quill's styles, so these are sent as <ul>.
 */
function bulletOnlyLists(html: string): boolean[] {
  const lists: boolean[] = []
  const stack: { tag: string; list?: number }[] = []
  sanitizeHtml(html, {
    allowedTags: false,
    allowedAttributes: false,
    allowVulnerableTags: true,
    onOpenTag: (name, attribs) => {
      const parent = stack[stack.length - 1]
      if (name === 'li' && parent?.list !== undefined && attribs['data-list'] !== 'bullet') lists[parent.list] = false
      if (name === 'ol') {
        lists.push(true)
        stack.push({ tag: name, list: lists.length - 1 })
      } else {
        stack.push({ tag: name })
      }
    },
    onCloseTag: (name) => {
      for (let i = stack.length - 1; i >= 0; i--) {
        if (stack[i]!.tag === name) {
          stack.length = i
          break
        }
      }
    },
  })
  return lists
}

/**
 * Prepares thread HTML for the body of an e-mail. Images stored as attachments
 * (`/attachments/<id>/…`) point to the `cid:` the callback gives for that attachment (null removes
 * the image); `cid:` images stay; any other image is removed. Each YouTube embed becomes a linked
 * thumbnail, and Quill bullet lists become <ul>. The input is sanitised again first, so the result is
 * safe whatever it is given.
 */
export function toEmailHtml(html: string, inlineCid: (attachmentId: number) => string | null): string {
  const safe = sanitizeMessageHtml(html)
  if (safe === '') return ''
  const bulletLists = bulletOnlyLists(safe)
  let listIndex = 0
  const options = messageSanitizeOptions((drop) => ({
    img: (tag, attribs) => {
      const src = attribs.src ?? ''
      let cid: string | null = null
      const attachment = ATTACHMENT_PATH.exec(src)
      if (attachment) {
        const id = Number(attachment[1])
        const given = Number.isSafeInteger(id) ? inlineCid(id) : null
        if (given !== null && given.trim() !== '') cid = /^cid:/i.test(given.trim()) ? given.trim() : `cid:${given.trim()}`
      } else if (/^cid:/i.test(src)) {
        cid = src
      }
      if (cid === null || /[\s"'<>\\]/.test(cid)) return drop(tag)
      const out: sanitizeHtml.Attributes = { ...attribs, src: cid }
      return { tagName: tag, attribs: out }
    },
    iframe: (tag, attribs) => {
      const id = youTubeEmbedIdFrom(attribs.src ?? '')
      return id ? { tagName: VIDEO_MARKER, attribs: { 'data-video': id } } : drop(tag)
    },
    ol: (tag, attribs) => ({ tagName: bulletLists[listIndex++] === true ? 'ul' : tag, attribs }),
    // Mail clients do not know Quill's list markers.
    li: (tag) => ({ tagName: tag, attribs: {} }),
  }))
  options.allowedTags = [...(options.allowedTags || []), VIDEO_MARKER]
  options.allowedAttributes = { ...(options.allowedAttributes || {}), [VIDEO_MARKER]: ['data-video'] }
  options.allowedSchemesByTag = { img: ['cid'] }
  const filter = options.exclusiveFilter
  options.exclusiveFilter = (frame) => (frame.attribs['data-video'] !== undefined ? false : (filter?.(frame) ?? false))
  // The input is already within the nesting limit; a renamed element must never be skipped.
  options.nestingLimit = undefined
  return sanitizeHtml(safe, options).replace(VIDEO_MARKER_HTML, (_whole, id: string) => videoThumbnailHtml(id))
}
