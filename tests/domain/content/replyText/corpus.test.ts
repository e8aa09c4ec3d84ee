import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { DomUtils, parseDocument } from 'htmlparser2'
import { afterAll, describe, expect, it } from 'vitest'
import { splitReply, splitReplyHtml } from '../../../../src/domain/content/replyText/index.ts'
import { CRISP, GITHUB, ZAPIER, type Label } from './expectations.ts'
import { announceCorpusAbsent, corpusPresent, MAIL_CORPUS } from '../../../helpers/mailCorpus.ts'

// Runs splitReply on every reply body of the shared corpus (read in place, never copied) and
// compares `visible` with the expected text, white space normalised. discourse ships its expected
// outputs (test/trimmed/); the other suites are compared with the labels in expectations.ts.
// Each suite must reach a pass-rate floor: the rate the implementation reaches, rounded down.
// The same bodies, rendered as HTML (one <div> per line), must give splitReplyHtml the same
// visible text.

const CORPUS = MAIL_CORPUS ?? ''

interface Case {
  name: string
  input: string
  expected: string
}

interface Suite {
  name: string
  /** The lowest pass rate (percent) the suite may fall to. */
  floor: number
  cases: () => Case[]
}

function read(file: string): string {
  return readFileSync(file, 'utf8')
}

function listTxt(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.txt'))
    .sort()
}

function fromLabel(input: string, label: Label): string {
  if (label === 'all') return input
  const lines = input.split(/\r?\n/)
  return label.map(([from, to]) => lines.slice(from - 1, to).join('\n')).join('\n')
}

function labelled(folder: string, labels: Record<string, Label>): () => Case[] {
  return () => {
    const dir = path.join(CORPUS, folder)
    return listTxt(dir).map((name) => {
      const label = labels[name]
      if (label === undefined) throw new Error(`${folder}/${name} has no label in expectations.ts`)
      const input = read(path.join(dir, name))
      return { name, input, expected: fromLabel(input, label) }
    })
  }
}

const SUITES: Suite[] = [
  {
    name: 'discourse-email_reply_trimmer',
    floor: 95,
    cases: () => {
      const dir = path.join(CORPUS, 'discourse-email_reply_trimmer', 'test')
      return listTxt(path.join(dir, 'emails')).map((name) => ({
        name,
        input: read(path.join(dir, 'emails', name)),
        expected: read(path.join(dir, 'trimmed', name)),
      }))
    },
  },
  { name: 'crisp-email-reply-parser', floor: 98, cases: labelled('crisp-email-reply-parser/test/fixtures', CRISP) },
  { name: 'github-email_reply_parser', floor: 86, cases: labelled('github-email_reply_parser/test/emails', GITHUB) },
  { name: 'zapier-email-reply-parser', floor: 91, cases: labelled('zapier-email-reply-parser/test/emails', ZAPIER) },
]

/** Bodies longer than this (the performance fixtures) are not rendered as HTML. */
const HTML_PARITY_MAX_CHARS = 100_000

function normalise(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** A plain-text body as sanitised HTML would carry it: one <div> per line. */
function asHtml(body: string): string {
  return body
    .split(/\r?\n/)
    .map((line) => (line.trim() === '' ? '<div><br /></div>' : `<div>${escapeHtml(line)}</div>`))
    .join('')
}

/** The text of such HTML, one line per top-level element. */
function htmlText(html: string): string {
  return parseDocument(html)
    .children.map((node) => DomUtils.textContent(node))
    .join('\n')
}

/** The non-blank lines of a text, trimmed and sorted: what must survive the split. */
function contentLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .sort()
}

announceCorpusAbsent('reply folding on the real-world corpus')
describe.runIf(corpusPresent)('reply corpus (needs the real-world corpus: MAIL_CORPUS)', () => {
  const report: string[] = []

  afterAll(() => {
    console.log(['splitReply on the corpus reply suites:', ...report].join('\n'))
  })

  for (const suite of SUITES) {
    it(`${suite.name}: visible text matches the expected text (floor ${suite.floor}%)`, () => {
      const cases = suite.cases()
      const failures: string[] = []
      const htmlMismatches: string[] = []
      for (const c of cases) {
        const { visible, folded } = splitReply(c.input)
        // Nothing is lost: every line of the body is in one part or the other.
        expect(contentLines(`${visible}\n${folded}`), `${suite.name}/${c.name}`).toEqual(contentLines(c.input))
        if (normalise(visible) !== normalise(c.expected)) failures.push(c.name)
        if (c.input.length <= HTML_PARITY_MAX_CHARS) {
          const html = splitReplyHtml(asHtml(c.input))
          if (normalise(htmlText(html.visible)) !== normalise(visible)) htmlMismatches.push(c.name)
        }
      }
      const passed = cases.length - failures.length
      const rate = (100 * passed) / cases.length
      report.push(
        `  ${suite.name.padEnd(30)} ${String(passed).padStart(3)}/${String(cases.length).padEnd(3)} ` +
          `${rate.toFixed(1).padStart(5)}%  (floor ${suite.floor}%)` +
          (failures.length > 0 ? `  failing: ${failures.join(', ')}` : ''),
      )
      expect(cases.length).toBeGreaterThan(0)
      expect(rate).toBeGreaterThanOrEqual(suite.floor)
      expect(htmlMismatches, 'splitReplyHtml differs from splitReply on the HTML rendition').toEqual([])
    })
  }
})
