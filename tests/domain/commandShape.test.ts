import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'

/**
 * Every domain command has one shape, `(ctx, actor, input)`: the context, who acts, one input
 * object. This reads the shape off each exported function whose name says it changes state, so a
 * new command written another way fails here instead of drifting.
 */

const DOMAIN = fileURLToPath(new URL('../../src/domain/', import.meta.url))

/** Names that start with one of these (then a capital letter) change state. */
const STATE_VERBS = [
  'accept',
  'add',
  'append',
  'assign',
  'cancel',
  'close',
  'create',
  'delete',
  'disable',
  'enable',
  'enqueue',
  'import',
  'invite',
  'mark',
  'merge',
  'move',
  'record',
  'remove',
  'rename',
  'reopen',
  'reply',
  'request',
  'reset',
  'retry',
  'revoke',
  'run',
  'save',
  'send',
  'set',
  'start',
  'store',
  'tag',
  'unassign',
  'untag',
  'update',
]
const CHANGES_STATE = new RegExp(`^(?:${STATE_VERBS.join('|')})(?=[A-Z]|$)`)

/** How the acting party is named: an agent or admin, a customer, the system, a visitor. */
const ACTOR = /^_?(actor|admin|agent|customer|system|visitor)$/

/** A module that exports only types has nothing to check (and nothing to import at run time). */
const exportsValues = (source: string) => /^export (?!type\b|interface\b|declare\b)/m.test(source)

/** The parameter names of a function, as its source spells them (defaults and types stripped). */
function parameterNames(fn: (...args: never[]) => unknown): string[] {
  const source = fn.toString()
  const bareArrow = /^(?:async\s+)?([\w$]+)\s*=>/.exec(source)
  if (bareArrow) return [bareArrow[1]!]
  const params: string[] = []
  let current = ''
  let depth = 0
  let quote: string | null = null
  for (let i = source.indexOf('(') + 1; i < source.length; i++) {
    const c = source[i]!
    if (quote) {
      if (c === '\\') i++
      else if (c === quote) quote = null
      continue
    }
    if (c === '"' || c === "'" || c === '`') quote = c
    else if ('([{'.includes(c)) depth++
    else if (')]}'.includes(c)) {
      if (depth === 0) break
      depth--
    } else if (c === ',' && depth === 0) {
      params.push(current)
      current = ''
      continue
    }
    current += c
  }
  params.push(current)
  return params.map((p) => p.split('=')[0]!.trim()).filter(Boolean)
}

interface Command {
  name: string
  file: string
  params: string[]
}

async function domainCommands(): Promise<Command[]> {
  const files = readdirSync(DOMAIN, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .sort()
  const seen = new Set<unknown>()
  const commands: Command[] = []
  for (const file of files) {
    const path = join(DOMAIN, file)
    if (!exportsValues(readFileSync(path, 'utf8'))) continue
    const module = (await import(pathToFileURL(path).href)) as Record<string, unknown>
    for (const [name, value] of Object.entries(module)) {
      // Re-exports (manageFolders re-exports createFolder) are checked once.
      if (typeof value !== 'function' || seen.has(value) || !CHANGES_STATE.test(name)) continue
      seen.add(value)
      const params = parameterNames(value as (...args: never[]) => unknown)
      // Taking a `tx` makes it a step of another command's transaction (recordEvents,
      // appendMessage, storeAttachments), not a command that commits.
      if (params.includes('tx')) continue
      commands.push({ name, file: relative(DOMAIN, path), params })
    }
  }
  return commands
}

const commands = await domainCommands()

describe('the shape of domain commands', () => {
  it('finds the commands of every area', () => {
    expect(commands.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'createFolder',
        'updateAgent',
        'acceptInvitation',
        'resetPassword',
        'createTag',
        'updateImapAccount',
        'updateSettings',
        'replyAsAgent',
        'runLifecycleSweep',
      ]),
    )
  })

  it.each(commands)('$name ($file) takes (ctx, actor, input)', ({ params }) => {
    expect(params[0], 'the first parameter is the domain context').toBe('ctx')
    expect(params[1], 'the second parameter is who acts').toMatch(ACTOR)
    expect(params.length, 'one input object, not loose arguments').toBeLessThanOrEqual(3)
  })
})

describe('reading parameter names', () => {
  it('handles declarations, arrows, defaults and destructuring', () => {
    expect(
      parameterNames(async function f(ctx: unknown, admin: unknown, input: { a?: string } = { a: '(,)' }) {
        return [ctx, admin, input]
      }),
    ).toEqual(['ctx', 'admin', 'input'])
    expect(parameterNames((ctx: unknown, { a, b }: { a: number; b: number }) => [ctx, a, b])).toEqual(['ctx', '{ a, b }'])
    expect(parameterNames(async (ctx: unknown) => ctx)).toEqual(['ctx'])
    expect(parameterNames(() => 1)).toEqual([])
  })
})
