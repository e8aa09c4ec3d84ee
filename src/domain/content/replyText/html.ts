import { DomUtils, parseDocument } from 'htmlparser2'
import render from 'dom-serializer'
import type { ChildNode, Element, ParentNode, Text } from 'domhandler'
import { foldLines, inlineAttributionStarts, type ReplyLine } from './foldLines.ts'
import { BLANK, QUOTED } from './patterns.ts'
import type { SplitReply } from './types.ts'

// HTML bodies are folded with the same line algorithm as plain text (foldLines.ts). The DOM is
// rendered to the lines a reader sees: block elements and <br> end lines, text inside <pre> is
// cut at its newlines, and a line is quoted when it sits inside a <blockquote>. Every text node
// and void element (br, img, hr, iframe) is a "leaf" with an index in document order; each line
// is a run of leaves. The folded lines give leaf ranges, and each range is cut out of the DOM as a
// well-formed fragment: the elements that contain part of the range are copied (attributes kept)
// with only the children inside it. Where an attribution starts after the customer's words on the
// same line, the text node is cut there and the attribution starts a line of its own.

/** Elements that start and end a line. <td> and <th> stay on their row's line. */
const BLOCK_TAGS = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'center',
  'dd',
  'div',
  'dl',
  'dt',
  'figcaption',
  'figure',
  'footer',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'table',
  'tbody',
  'tfoot',
  'thead',
  'tr',
  'ul',
])

/** Elements without content that still show something (or break a line). */
const VOID_LEAVES = new Set(['br', 'hr', 'img', 'iframe', 'video', 'audio', 'embed', 'object'])

/** The text an image or an embedded object stands for in its line. */
const OBJECT_REPLACEMENT = '\ufffc'

/** Cell elements: their text is separated from the neighbouring cell's by a space. */
const CELL_TAGS = new Set(['td', 'th'])

interface Span {
  start: number
  end: number
}

/** A piece of a line's text and the leaf it comes from (null for the space between two cells). */
interface Piece {
  text: string
  leaf: number | null
}

interface HtmlLine extends ReplyLine {
  firstLeaf: number
  lastLeaf: number
  pieces: Piece[]
}

interface Layout {
  leaves: ChildNode[]
  /** The index of each leaf. */
  leafIndex: Map<ChildNode, number>
  /** Leaf index range of each element; empty elements get start === end (their position). */
  spans: Map<ChildNode, Span>
  lines: HtmlLine[]
}

/** Splits text nodes inside <pre> at their newlines so that each line has leaves of its own. */
function splitPreformattedText(nodes: ChildNode[], inPre: boolean): void {
  for (const node of [...nodes]) {
    if (DomUtils.isText(node)) {
      if (!inPre || !node.data.includes('\n')) continue
      const pieces = node.data.split(/(?<=\n)/)
      if (pieces.length < 2) continue
      const parent = node.parent
      if (!parent) continue
      const replacements = pieces.map((piece) => {
        const copy = node.cloneNode() as Text
        copy.data = piece
        return copy
      })
      const index = parent.children.indexOf(node)
      parent.children.splice(index, 1, ...replacements)
      relink(parent)
    } else if (DomUtils.isTag(node)) {
      splitPreformattedText(node.children, inPre || node.name === 'pre')
    }
  }
}

/** Restores parent and sibling links after the children of `parent` changed. */
function relink(parent: ParentNode): void {
  parent.children.forEach((child, i) => {
    child.parent = parent
    child.prev = parent.children[i - 1] ?? null
    child.next = parent.children[i + 1] ?? null
  })
}

/** `breakBefore`: leaves that start a new line (where an attribution follows the customer's words). */
function layout(roots: ChildNode[], breakBefore: ReadonlySet<ChildNode> = new Set()): Layout {
  const leaves: ChildNode[] = []
  const leafIndex = new Map<ChildNode, number>()
  const spans = new Map<ChildNode, Span>()
  const lines: HtmlLine[] = []
  let current: { pieces: Piece[]; quoted: boolean | null; firstDepth: number; first: number; last: number } | null = null

  const breakLine = () => {
    if (current === null) return
    const text = current.pieces
      .map((piece) => piece.text)
      .join('')
      .replace(/[ \t\r\n\f]+/g, ' ')
    const quoted = (current.quoted ?? current.firstDepth > 0) || QUOTED.test(text)
    lines.push({ text, quoted, firstLeaf: current.first, lastLeaf: current.last, pieces: current.pieces })
    current = null
  }
  const addLeaf = (node: ChildNode, text: string, depth: number) => {
    if (breakBefore.has(node)) breakLine()
    const index = leaves.length
    leaves.push(node)
    leafIndex.set(node, index)
    if (current === null) current = { pieces: [], quoted: null, firstDepth: depth, first: index, last: index }
    current.pieces.push({ text, leaf: index })
    current.last = index
    if (current.quoted === null && !BLANK.test(text)) current.quoted = depth > 0
  }

  const walk = (node: ChildNode, depth: number, inPre: boolean) => {
    if (DomUtils.isText(node)) {
      const text = inPre ? node.data.replace(/\n$/, '') : node.data
      addLeaf(node, text.replace(/\u00a0/g, ' '), depth)
      if (inPre && node.data.endsWith('\n')) breakLine()
      return
    }
    if (!DomUtils.isTag(node)) return // comments, directives
    const start = leaves.length
    const name = node.name.toLowerCase()
    if (VOID_LEAVES.has(name) && node.children.length === 0) {
      if (name === 'hr') breakLine()
      // An image is content: it stands in the line as an object replacement character.
      addLeaf(node, name === 'br' || name === 'hr' ? '' : OBJECT_REPLACEMENT, depth)
      if (name === 'br' || name === 'hr') breakLine()
      spans.set(node, { start, end: leaves.length })
      return
    }
    const block = BLOCK_TAGS.has(name)
    if (block) breakLine()
    if (CELL_TAGS.has(name) && current !== null) current.pieces.push({ text: ' ', leaf: null })
    const childDepth = depth + (name === 'blockquote' ? 1 : 0)
    for (const child of node.children) walk(child, childDepth, inPre || name === 'pre')
    if (block) breakLine()
    spans.set(node, { start, end: leaves.length })
  }

  for (const root of roots) walk(root, 0, false)
  breakLine()
  return { leaves, leafIndex, spans, lines }
}

/** The white space that a line's text collapses: space, tab, CR, LF, form feed. */
function isLineSpace(char: string | undefined): boolean {
  return char === ' ' || char === '\t' || char === '\r' || char === '\n' || char === '\f'
}

/**
 * The leaf and the offset in its text of the character at `offset` in the line's text (which
 * has its runs of white space collapsed to one space), or null.
 */
function locate(line: HtmlLine, offset: number): { leaf: number; at: number } | null {
  let count = 0
  let inSpace = false
  for (const piece of line.pieces) {
    for (let k = 0; k < piece.text.length; k++) {
      if (isLineSpace(piece.text[k])) {
        if (!inSpace) count++
        inSpace = true
        continue
      }
      if (count === offset) return piece.leaf === null ? null : { leaf: piece.leaf, at: k }
      count++
      inSpace = false
    }
  }
  return null
}

/**
 * Cuts the text nodes where an attribution starts after the customer's words on the same line
 * (see inlineAttributionStarts) and returns the leaves that must start a new line. The white
 * space before the attribution goes with it, so the customer's line ends with their last word.
 */
function splitInlineAttributions(info: Layout, starts: ReadonlyMap<number, number>): Set<ChildNode> {
  const breakBefore = new Set<ChildNode>()
  for (const [index, offset] of starts) {
    const line = info.lines[index]!
    const found = locate(line, offset)
    if (found === null) continue
    let leaf = found.leaf
    let node = info.leaves[leaf]!
    let at = found.at
    if (DomUtils.isText(node)) {
      while (at > 0 && (isLineSpace(node.data[at - 1]) || node.data[at - 1] === '\u00a0')) at--
      if (at > 0) {
        const rest = node.cloneNode() as Text
        rest.data = node.data.slice(at)
        node.data = node.data.slice(0, at)
        const parent = node.parent!
        parent.children.splice(parent.children.indexOf(node) + 1, 0, rest)
        relink(parent)
        breakBefore.add(rest)
        continue
      }
    }
    // The attribution starts a node: the white-space nodes right before it go with it.
    while (leaf > line.firstLeaf) {
      const previous = info.leaves[leaf - 1]!
      if (!DomUtils.isText(previous) || !BLANK.test(previous.data)) break
      leaf--
      node = previous
    }
    breakBefore.add(node)
  }
  return breakBefore
}

/** Copies of the nodes (and the parts of their subtrees) whose leaves fall in [from, to). */
function extract(nodes: readonly ChildNode[], layoutInfo: Layout, from: number, to: number): ChildNode[] {
  const total = layoutInfo.leaves.length
  const out: ChildNode[] = []
  for (const node of nodes) {
    const span = layoutInfo.spans.get(node)
    if (DomUtils.isText(node)) {
      const index = layoutInfo.leafIndex.get(node) ?? -1
      if (index >= from && index < to) out.push(node.cloneNode())
      continue
    }
    if (!DomUtils.isTag(node) || span === undefined) continue
    if (span.start === span.end) {
      // An empty element goes with the range that holds its position.
      if ((span.start >= from && span.start < to) || (span.start === total && to === total)) out.push(node.cloneNode(true))
      continue
    }
    if (span.start >= to || span.end <= from) continue
    if (span.start >= from && span.end <= to) {
      out.push(node.cloneNode(true))
      continue
    }
    const copy = node.cloneNode(false) as Element
    copy.children = extract(node.children, layoutInfo, from, to)
    relink(copy)
    out.push(copy)
  }
  return out
}

function serialize(nodes: ChildNode[]): string {
  return render(nodes, { encodeEntities: 'utf8', decodeEntities: true }).trim()
}

/**
 * Splits an HTML reply that has already been sanitised. Folds at the first attribution ("On …
 * wrote:" and its translations, Gmail's included) that introduces a <blockquote> or unquoted
 * history, at an Outlook header block (From: … Sent: …), at "-----Original Message-----" and its
 * translations, at a signature delimiter ("-- ") and at a device signature ("Sent from my
 * iPhone"). Returns well-formed HTML for both parts; `visible` is the input itself when nothing
 * is folded.
 */
export function splitReplyHtml(html: string): SplitReply {
  const document = parseDocument(html, { decodeEntities: true })
  splitPreformattedText(document.children, false)
  let info = layout(document.children)
  const { starts, classified } = inlineAttributionStarts(info.lines)
  const breakBefore = splitInlineAttributions(info, starts)
  if (breakBefore.size > 0) info = layout(document.children, breakBefore)
  const keep = foldLines(info.lines, breakBefore.size > 0 ? undefined : classified)

  const leafKeep: boolean[] = new Array<boolean>(info.leaves.length).fill(true)
  info.lines.forEach((line, i) => {
    for (let leaf = line.firstLeaf; leaf <= line.lastLeaf; leaf++) leafKeep[leaf] = keep[i]!
  })
  const foldsContent = info.leaves.some((leaf, i) => !leafKeep[i] && hasContent(leaf))
  if (!foldsContent) return { visible: html.trim(), folded: '' }

  const visible: ChildNode[] = []
  const folded: ChildNode[] = []
  let start = 0
  for (let i = 1; i <= leafKeep.length; i++) {
    if (i < leafKeep.length && leafKeep[i] === leafKeep[start]) continue
    const part = extract(document.children, info, start, i)
    if (leafKeep[start]) visible.push(...part)
    else folded.push(...part)
    start = i
  }
  return { visible: serialize(visible), folded: serialize(folded) }
}

function hasContent(leaf: ChildNode): boolean {
  if (DomUtils.isText(leaf)) return !BLANK.test(leaf.data)
  return DomUtils.isTag(leaf) && leaf.name !== 'br' && leaf.name !== 'hr'
}
