import sanitizeHtml from 'sanitize-html'
import { convert, type DomNode, type FormatCallback } from 'html-to-text'

// Message HTML comes from two places: agents' Quill 2 editor and customers' e-mails, which may be
// hostile. Message HTML must go through sanitizeMessageHtml before it is stored or shown: it keeps a
// short allowlist of tags and attributes and checks every URL-carrying attribute itself.

/** How deep elements may nest; deeper tags are dropped (their text is kept). */
const NESTING_LIMIT = 100

const LINK_REL = 'noopener noreferrer nofollow'

const YOUTUBE_ID = /^[\w-]{11}$/

const ALLOWED_TAGS = [
  'p',
  'br',
  'div',
  'span',
  'strong',
  'b',
  'em',
  'i',
  'u',
  's',
  'blockquote',
  'ul',
  'ol',
  'li',
  'a',
  'img',
  'h1',
  'h2',
  'h3',
  'h4',
  'pre',
  'code',
  'hr',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'figure',
  'figcaption',
  'iframe',
]

// Tags whose content is not readable text (or is hostile), dropped together with the tag.
const NON_TEXT_TAGS = [
  'script',
  'style',
  'title',
  'template',
  'noscript',
  'noembed',
  'noframes',
  'xmp',
  'textarea',
  'option',
  'select',
  'svg',
  'math',
  'object',
  'applet',
]

type Attributes = sanitizeHtml.Attributes
type Tag = sanitizeHtml.Tag

function hasControlCharacters(value: string): boolean {
  return /[\u0000-\u001f\u007f-\u009f]/.test(value)
}

/** The link target when it is an absolute http, https or mailto URL; otherwise null. */
export function safeLinkHref(raw: string | undefined): string | null {
  if (raw === undefined) return null
  const href = raw.trim()
  // Browsers ignore tabs and newlines inside URLs, which is how `jav&#x09;ascript:` works: refuse
  // any control character instead of guessing how a browser would read it.
  if (href === '' || hasControlCharacters(href)) return null
  if (/^mailto:[^\s]+$/i.test(href)) return href
  if (!/^https?:\/\//i.test(href)) return null
  try {
    const url = new URL(href)
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') return null
  } catch {
    return null
  }
  return href
}

const ATTACHMENT_SRC = /^\/attachments\/\d+(?:\/(?!\.\.?$)[^/\\?#\s"'<>]+)?$/
const CID_SRC = /^cid:[^\s"'<>\\]+$/i
// No two neighbouring parts of these patterns can match the same character, so they run in linear time.
const DATA_IMAGE_SRC = /^data:image\/(png|jpeg|gif|webp);base64,([A-Za-z0-9+/\s]*={0,2})$/i

/**
 * The image source when it is an attachment path (`/attachments/<id>[/<name>]`), a `cid:` URL, or
 * a base64 PNG, JPEG, GIF or WebP `data:` URL; otherwise null.
 */
export function safeImageSrc(raw: string | undefined): string | null {
  if (raw === undefined) return null
  const src = raw.trim()
  if (src.length > 0 && /^data:/i.test(src)) {
    const match = DATA_IMAGE_SRC.exec(src)
    if (!match) return null
    return `data:image/${match[1]!.toLowerCase()};base64,${match[2]!.replace(/\s+/g, '')}`
  }
  if (hasControlCharacters(src)) return null
  if (ATTACHMENT_SRC.test(src) || CID_SRC.test(src)) return src
  return null
}

function positiveInteger(value: string | undefined, max: number): string | null {
  if (value === undefined || !/^\s*\d{1,5}\s*$/.test(value)) return null
  const n = Number(value)
  return n > 0 && n <= max ? String(n) : null
}

// ---------------------------------------------------------------------------------------------
// YouTube

const YOUTUBE_HOSTS = new Set(['youtube.com', 'www.youtube.com', 'm.youtube.com', 'music.youtube.com'])
const NOCOOKIE_HOSTS = new Set(['youtube-nocookie.com', 'www.youtube-nocookie.com'])

function parseWebUrl(raw: string): URL | null {
  let text = raw.trim()
  if (text === '' || hasControlCharacters(text)) return null
  if (text.startsWith('//')) text = `https:${text}`
  else if (/^(?:(?:www|m)\.)?(?:youtube\.com|youtu\.be|youtube-nocookie\.com)\//i.test(text)) text = `https://${text}`
  try {
    const url = new URL(text)
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : null
  } catch {
    return null
  }
}

function checkedId(id: string | null | undefined): string | null {
  return id !== null && id !== undefined && YOUTUBE_ID.test(id) ? id : null
}

/**
 * The video ID of a YouTube URL: youtube.com/watch?v=, youtu.be/, youtube.com/embed/, /shorts/,
 * /live/, m.youtube.com and youtube-nocookie.com/embed/. Null for anything else.
 */
export function youTubeIdFrom(url: string): string | null {
  const parsed = parseWebUrl(url)
  if (!parsed) return null
  const host = parsed.hostname.toLowerCase()
  const segments = parsed.pathname.split('/').filter((s) => s !== '')
  if (host === 'youtu.be' || host === 'www.youtu.be') {
    return segments.length === 1 ? checkedId(segments[0]) : null
  }
  if (YOUTUBE_HOSTS.has(host)) {
    if (parsed.pathname === '/watch' || parsed.pathname === '/watch/') return checkedId(parsed.searchParams.get('v'))
    if (segments.length === 2 && ['embed', 'shorts', 'live', 'v'].includes(segments[0]!)) return checkedId(segments[1])
    return null
  }
  if (NOCOOKIE_HOSTS.has(host)) {
    return segments.length === 2 && segments[0] === 'embed' ? checkedId(segments[1]) : null
  }
  return null
}

/** The video ID of an embeddable player URL (youtube.com/embed/ID or youtube-nocookie.com/embed/ID, with or without www.). */
export function youTubeEmbedIdFrom(src: string): string | null {
  const parsed = parseWebUrl(src)
  if (!parsed) return null
  const host = parsed.hostname.toLowerCase()
  if (!['youtube.com', 'www.youtube.com', 'youtube-nocookie.com', 'www.youtube-nocookie.com'].includes(host)) return null
  const segments = parsed.pathname.split('/').filter((s) => s !== '')
  return segments.length === 2 && segments[0] === 'embed' ? checkedId(segments[1]) : null
}

export function youTubeEmbedUrl(id: string): string {
  return `https://www.youtube-nocookie.com/embed/${id}`
}

export function youTubeWatchUrl(id: string): string {
  return `https://www.youtube.com/watch?v=${id}`
}

/** The embed exactly as sanitizeMessageHtml writes it. `id` must already be a checked video ID. */
function youTubeIframeHtml(id: string): string {
  return `<iframe src="${youTubeEmbedUrl(id)}" allowfullscreen title="YouTube video"></iframe>`
}

// ---------------------------------------------------------------------------------------------
// Sanitising

/** Marks an element for removal, with its content (see messageSanitizeOptions). */
export type DropElement = (tagName: string) => Tag

export type TransformOverrides = (drop: DropElement) => Record<string, sanitizeHtml.Transformer>

function messageTransforms(drop: DropElement): Record<string, sanitizeHtml.Transformer> {
  return {
    a: (_tag, attribs): Tag => {
      const href = safeLinkHref(attribs.href)
      return { tagName: 'a', attribs: href ? { href, rel: LINK_REL, target: '_blank' } : {} }
    },
    img: (tag, attribs) => {
      const src = safeImageSrc(attribs.src)
      if (!src) return drop(tag)
      const out: Attributes = { src }
      if (attribs.alt !== undefined) out.alt = attribs.alt
      const width = positiveInteger(attribs.width, 10_000)
      const height = positiveInteger(attribs.height, 10_000)
      if (width) out.width = width
      if (height) out.height = height
      return { tagName: 'img', attribs: out }
    },
    iframe: (tag, attribs) => {
      const id = youTubeEmbedIdFrom(attribs.src ?? '')
      if (!id) return drop(tag)
      return { tagName: 'iframe', attribs: { src: youTubeEmbedUrl(id), allowfullscreen: '', title: 'YouTube video' } }
    },
    li: (_tag, attribs): Tag => {
      const list = attribs['data-list']
      return { tagName: 'li', attribs: list === 'bullet' || list === 'ordered' ? { 'data-list': list } : {} }
    },
    // Quill 2 puts an empty `<span class="ql-ui" contenteditable="false">` into every list item.
    span: (tag, attribs) => (/(?:^|\s)ql-ui(?:\s|$)/.test(attribs.class ?? '') ? drop(tag) : { tagName: 'span', attribs: {} }),
    td: (_tag, attribs) => ({ tagName: 'td', attribs: tableCellAttributes(attribs) }),
    th: (_tag, attribs) => ({ tagName: 'th', attribs: tableCellAttributes(attribs) }),
  }
}

function tableCellAttributes(attribs: Attributes): Attributes {
  const out: Attributes = {}
  const colspan = positiveInteger(attribs.colspan, 100)
  const rowspan = positiveInteger(attribs.rowspan, 100)
  if (colspan) out.colspan = colspan
  if (rowspan) out.rowspan = rowspan
  return out
}

/**
 * The sanitize-html options behind sanitizeMessageHtml. `overrides` replaces or adds transforms
 * (toEmailHtml uses it); a transform removes an element, content included, by returning
 * `drop(tagName)`.
 *
 * Transforms never rename an element to a disallowed tag to remove it: sanitize-html would then
 * write the new name into the closing tag of the next element at the same depth, leaving that
 * element (say an <a>) open. The dropped element keeps its name and the exclusive filter removes it.
 */
export function messageSanitizeOptions(overrides?: TransformOverrides): sanitizeHtml.IOptions {
  const dropped = new WeakSet<Attributes>()
  const drop: DropElement = (tagName) => {
    const attribs: Attributes = {}
    dropped.add(attribs)
    return { tagName, attribs }
  }
  return {
    allowedTags: [...ALLOWED_TAGS],
    allowedAttributes: {
      a: ['href', 'rel', 'target'],
      img: ['src', 'alt', 'width', 'height'],
      li: ['data-list'],
      iframe: ['src', 'allowfullscreen', 'title'],
      td: ['colspan', 'rowspan'],
      th: ['colspan', 'rowspan'],
    },
    allowedClasses: {},
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['cid', 'data'], iframe: ['https'] },
    allowedSchemesAppliedToAttributes: ['href', 'src', 'cite'],
    allowProtocolRelative: false,
    allowedIframeHostnames: ['www.youtube-nocookie.com'],
    allowIframeRelativeUrls: false,
    allowVulnerableTags: false,
    disallowedTagsMode: 'discard',
    nonTextTags: [...NON_TEXT_TAGS],
    nestingLimit: NESTING_LIMIT,
    enforceHtmlBoundary: false,
    parseStyleAttributes: false,
    transformTags: { ...messageTransforms(drop), ...overrides?.(drop) },
    // Text written straight into <head> (outside <title>/<style>) is not part of the message, and
    // an embed has no content of its own.
    textFilter: (text, tagName) => (tagName === 'head' || tagName === 'iframe' ? '' : text),
    exclusiveFilter: (frame) => {
      if (dropped.has(frame.attribs)) return true
      if (frame.tag === 'a' && !frame.attribs.href) return 'excludeTag'
      if ((frame.tag === 'img' || frame.tag === 'iframe') && !frame.attribs.src) return true
      return false
    },
  }
}

/** Removes characters that must never reach the parser (the HTML standard treats NUL as an error). */
export function stripNulls(html: string): string {
  return html.includes('\0') ? html.replace(/\0/g, '') : html
}

/** Makes message HTML (from the editor or from an e-mail) safe to show in the thread view. */
export function sanitizeMessageHtml(html: string): string {
  if (typeof html !== 'string' || html === '') return ''
  return sanitizeHtml(stripNulls(html), messageSanitizeOptions())
}

// ---------------------------------------------------------------------------------------------
// YouTube links → embeds

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos|nbsp);/gi, (whole, entity: string) => {
    const lower = entity.toLowerCase()
    if (lower === 'amp') return '&'
    if (lower === 'lt') return '<'
    if (lower === 'gt') return '>'
    if (lower === 'quot') return '"'
    if (lower === 'apos') return "'"
    if (lower === 'nbsp') return '\u00a0'
    const code = lower.startsWith('#x') ? parseInt(lower.slice(2), 16) : parseInt(lower.slice(1), 10)
    return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole
  })
}

// A paragraph holding only text, links and line breaks. Each alternative starts differently, so
// matching stays linear.
const SIMPLE_PARAGRAPH = /<p>((?:[^<]|<a\s[^>]*>[^<]*<\/a>|<br \/>)*)<\/p>/g
const LONE_LINK = /^<a\s[^>]*>([^<]*)<\/a>$/

/**
 * Replaces each paragraph whose only content is a YouTube URL (as text, or as a link whose text is
 * that URL) by the video embed. Expects sanitised HTML (the output of sanitizeMessageHtml).
 */
export function embedYouTubeLinks(html: string): string {
  return html.replace(SIMPLE_PARAGRAPH, (paragraph, inner: string) => {
    let content = inner.trim()
    while (content.endsWith('<br />')) content = content.slice(0, -'<br />'.length).trimEnd()
    let id: string | null = null
    if (!content.includes('<')) {
      id = youTubeIdFrom(decodeEntities(content))
    } else {
      const link = LONE_LINK.exec(content)
      const href = link ? /\shref="([^"]*)"/.exec(content)?.[1] : undefined
      if (link && href !== undefined) {
        const hrefId = youTubeIdFrom(decodeEntities(href))
        if (hrefId !== null && youTubeIdFrom(decodeEntities(link[1]!)) === hrefId) id = hrefId
      }
    }
    return id ? youTubeIframeHtml(id) : paragraph
  })
}

// ---------------------------------------------------------------------------------------------
// Plain text → HTML

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"]+/gi

/** Leaves trailing punctuation out of a URL found in text, keeping balanced closing brackets. */
function trimUrl(url: string): string {
  const count: Record<string, number> = { '(': 0, ')': 0, '[': 0, ']': 0 }
  for (const c of url) if (c in count) count[c]!++
  let end = url.length
  while (end > 0) {
    const last = url[end - 1]!
    if ('.,;:!?\'"»”’*'.includes(last)) {
      end--
    } else if (last === ')' || last === ']') {
      // Wikipedia-style URLs end with a bracket they opened themselves.
      if (count[last === ')' ? '(' : '[']! >= count[last]!) break
      count[last]!--
      end--
    } else {
      break
    }
  }
  return url.slice(0, end)
}

function linkify(line: string): string {
  let out = ''
  let last = 0
  for (const match of line.matchAll(URL_IN_TEXT)) {
    const url = trimUrl(match[0])
    const start = match.index
    out += escapeHtml(line.slice(last, start))
    if (safeLinkHref(url) && /^https?:\/\/[^/?#]/i.test(url)) {
      out += `<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>`
    } else {
      out += escapeHtml(url)
    }
    last = start + url.length
  }
  return out + escapeHtml(line.slice(last))
}

/**
 * Plain text (from a textarea) → HTML: blank lines separate paragraphs, single newlines become
 * <br>, http(s) URLs become links. The result has been through sanitizeMessageHtml.
 */
export function textToHtml(text: string): string {
  const paragraphs = stripNulls(text)
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t\u00a0]*\n/)
    .map((p) => p.replace(/^\n+|\n+$/g, ''))
    .filter((p) => p.trim() !== '')
  const html = paragraphs.map((p) => `<p>${p.split('\n').map(linkify).join('<br>')}</p>`).join('')
  return sanitizeMessageHtml(html)
}

// ---------------------------------------------------------------------------------------------
// HTML → plain text

const formatImage: FormatCallback = (elem, _walk, builder) => {
  const alt = typeof elem.attribs?.alt === 'string' ? elem.attribs.alt.trim() : ''
  if (alt !== '') builder.addInline(alt, { noWordTransform: true })
}

const formatYouTube: FormatCallback = (elem, _walk, builder) => {
  const id = youTubeEmbedIdFrom(typeof elem.attribs?.src === 'string' ? elem.attribs.src : '')
  if (!id) return
  builder.openBlock({ leadingLineBreaks: 2 })
  builder.addInline(youTubeWatchUrl(id), { noWordTransform: true })
  builder.closeBlock({ trailingLineBreaks: 2 })
}

// Quill 2 writes every list as <ol> and marks each item with data-list="bullet" or "ordered".
const formatList: FormatCallback = (elem, walk, builder) => {
  const isNested = elem.parent?.name === 'li'
  const bulletByDefault = elem.name === 'ul'
  let next = 1
  const items = elem.children
    .filter((child: DomNode) => child.type !== 'text' || !/^\s*$/.test(child.data ?? ''))
    .map((child: DomNode) => {
      if (child.name !== 'li') return { node: child, prefix: '' }
      const kind = child.attribs?.['data-list']
      const bullet = kind === 'bullet' || (kind !== 'ordered' && bulletByDefault)
      const prefix = bullet ? ' * ' : ` ${next++}. `
      return { node: child, prefix: isNested ? prefix.trimStart() : prefix }
    })
  if (items.length === 0) return
  builder.openList({
    interRowLineBreaks: 1,
    leadingLineBreaks: isNested ? 1 : 2,
    maxPrefixLength: Math.max(...items.map((i) => i.prefix.length)),
    prefixAlign: 'left',
  })
  for (const { node, prefix } of items) {
    builder.openListItem({ prefix })
    walk([node], builder)
    builder.closeListItem()
  }
  builder.closeList({ trailingLineBreaks: isNested ? 1 : 2 })
}

/** Readable plain text for a message (notifications, previews, the text part of e-mails). */
export function htmlToText(html: string): string {
  const safe = sanitizeMessageHtml(html)
  if (safe === '') return ''
  return convert(safe, {
    wordwrap: false,
    limits: { maxDepth: NESTING_LIMIT + 20 },
    formatters: { suiviImage: formatImage, suiviYouTube: formatYouTube, suiviList: formatList },
    selectors: [
      { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
      { selector: 'img', format: 'suiviImage' },
      { selector: 'iframe', format: 'suiviYouTube' },
      { selector: 'ul', format: 'suiviList' },
      { selector: 'ol', format: 'suiviList' },
      { selector: 'h1', options: { uppercase: false } },
      { selector: 'h2', options: { uppercase: false } },
      { selector: 'h3', options: { uppercase: false } },
      { selector: 'h4', options: { uppercase: false } },
      // E-mails use tables for layout far more than for data: one cell per line reads best.
      { selector: 'table', format: 'block' },
      { selector: 'tr', format: 'block', options: { leadingLineBreaks: 1, trailingLineBreaks: 1 } },
      { selector: 'th', format: 'block', options: { leadingLineBreaks: 1, trailingLineBreaks: 1 } },
      { selector: 'td', format: 'block', options: { leadingLineBreaks: 1, trailingLineBreaks: 1 } },
    ],
  }).replace(/^\n+|\s+$/g, '')
}
