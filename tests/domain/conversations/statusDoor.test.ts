import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

/**
 * One door for status (docs/ARCHITECTURE "no status is set outside the transition table"): the
 * columns the table decides are written only from statusFields (or its SQL form,
 * statusAssignments), both in src/domain/conversations/lifecycle.ts. This reads every source
 * file and reports any other write of them to conversations: a Prisma create/update whose data
 * names one, or SQL that sets or inserts one. Other tables' `status` (outbox, inbound) is theirs.
 */

const SRC = path.resolve(import.meta.dirname, '../../../src')
const DOOR = path.join(SRC, 'domain/conversations/lifecycle.ts')
const STATUS_COLUMNS = new Set(['status', 'pendingSince', 'reminderSentAt', 'closedAt', 'closedByKind', 'closedById'])
/** Calls whose result may be written: they are the door. */
const DOOR_FUNCTIONS = new Set(['statusFields', 'initialStatusFields', 'statusAssignments'])
const PRISMA_WRITES = new Set(['create', 'createMany', 'createManyAndReturn', 'update', 'updateMany', 'updateManyAndReturn', 'upsert'])
const COLUMN = `"?(${[...STATUS_COLUMNS].join('|')})"?`
const SQL_UPDATE = /\bUPDATE\s+(?:ONLY\s+)?"?conversations"?(?:\s+(?:AS\s+)?\w+)?\s+SET\s+([\s\S]*?)(?=\bFROM\b|\bWHERE\b|\bRETURNING\b|$)/gi
const SQL_SET_COLUMN = new RegExp(`(?:^|,)\\s*(?:\\w+\\.)?${COLUMN}\\s*=`, 'i')
const SQL_INSERT = /\bINSERT\s+INTO\s+"?conversations"?\s*\(([^)]*)\)/gi
const SQL_INSERT_COLUMN = new RegExp(`(?:^|,)\\s*${COLUMN}\\s*(?:,|$)`, 'i')

interface Violation {
  file: string
  line: number
  what: string
}

/** The status writes of one source file that do not go through the door. */
function statusWrites(file: string, text: string): Violation[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
  const found: Violation[] = []
  const report = (node: ts.Node, what: string) => found.push({ file, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, what })

  const declarations = new Map<string, ts.Expression[]>()
  const collect = (node: ts.Node) => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer)
      declarations.set(node.name.text, [...(declarations.get(node.name.text) ?? []), node.initializer])
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(node.left))
      declarations.set(node.left.text, [...(declarations.get(node.left.text) ?? []), node.right])
    ts.forEachChild(node, collect)
  }
  collect(source)

  /** Reports the status columns an expression written as a row's data names, following variables of this file. */
  const checkData = (expr: ts.Expression, seen: Set<string>): void => {
    if (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr) || ts.isSatisfiesExpression(expr) || ts.isNonNullExpression(expr))
      return checkData(expr.expression, seen)
    if (ts.isConditionalExpression(expr)) return (checkData(expr.whenTrue, seen), checkData(expr.whenFalse, seen))
    if (ts.isArrayLiteralExpression(expr)) return expr.elements.forEach((e) => checkData(e, seen))
    if (ts.isIdentifier(expr)) {
      if (seen.has(expr.text)) return
      seen.add(expr.text)
      return (declarations.get(expr.text) ?? []).forEach((e) => checkData(e, seen))
    }
    if (ts.isCallExpression(expr)) {
      const callee = ts.isPropertyAccessExpression(expr.expression) ? expr.expression.name.text : ts.isIdentifier(expr.expression) ? expr.expression.text : ''
      // Rows built by a map callback ({ ...c, status: 'closed' }) are written as well.
      if (!DOOR_FUNCTIONS.has(callee)) expr.arguments.forEach((a) => (ts.isArrowFunction(a) && !ts.isBlock(a.body) ? checkData(a.body, seen) : undefined))
      return
    }
    if (!ts.isObjectLiteralExpression(expr)) return
    for (const p of expr.properties) {
      if (ts.isSpreadAssignment(p)) checkData(p.expression, seen)
      else if (p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && STATUS_COLUMNS.has(p.name.text))
        report(p, `writes conversations.${p.name.text} outside the transition table`)
    }
  }

  /** `x.conversation.update({ … data: {…} })` and the like; `where` only reads. */
  const checkPrismaWrite = (call: ts.CallExpression) => {
    const callee = call.expression
    if (!ts.isPropertyAccessExpression(callee) || !PRISMA_WRITES.has(callee.name.text)) return
    const model = callee.expression
    if (!ts.isPropertyAccessExpression(model) || model.name.text !== 'conversation') return
    let args = call.arguments[0]
    while (args && ts.isIdentifier(args) && declarations.get(args.text)?.length === 1) args = declarations.get(args.text)![0]
    if (!args || !ts.isObjectLiteralExpression(args)) return
    for (const p of args.properties) {
      if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && ['data', 'create', 'update'].includes(p.name.text)) checkData(p.initializer, new Set())
      if (ts.isShorthandPropertyAssignment(p) && ['data', 'create', 'update'].includes(p.name.text)) checkData(p.name, new Set())
    }
  }

  /** SQL in a string or template: interpolations stand for values or for the door's assignments. */
  const checkSql = (node: ts.Node, sql: string) => {
    for (const m of sql.matchAll(SQL_UPDATE)) {
      const column = m[1]!
        .split(',')
        .map((a) => SQL_SET_COLUMN.exec(`,${a}`)?.[1])
        .find(Boolean)
      if (column) report(node, `SQL sets conversations.${column} outside the transition table`)
    }
    for (const m of sql.matchAll(SQL_INSERT)) {
      const column = m[1]!
        .split(',')
        .map((c) => SQL_INSERT_COLUMN.exec(`,${c},`)?.[1])
        .find(Boolean)
      if (column) report(node, `SQL inserts conversations.${column} outside the transition table`)
    }
  }

  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node)) checkPrismaWrite(node)
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) checkSql(node, node.text)
    if (ts.isTemplateExpression(node)) checkSql(node, node.head.text + node.templateSpans.map((s) => ` $\{…} ${s.literal.text}`).join(''))
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name)
    if (e.isDirectory()) return full === path.join(SRC, 'generated') ? [] : sourceFiles(full)
    return /\.(ts|mts|cts)$/.test(e.name) ? [full] : []
  })
}

describe('one door for status', () => {
  it('no source file writes a conversation’s status columns except through the transition table', () => {
    const files = sourceFiles(SRC).filter((f) => f !== DOOR)
    expect(files.length).toBeGreaterThan(50)
    const violations = files.flatMap((f) => {
      const text = readFileSync(f, 'utf8')
      // Only a file that names conversations can write one.
      return /conversation/i.test(text) ? statusWrites(path.relative(SRC, f), text) : []
    })
    expect(violations).toEqual([])
  })

  describe('the check itself', () => {
    const check = (code: string) => statusWrites('example.ts', code).map((v) => v.what)

    it('catches Prisma writes of status columns, directly, spread, through a variable or a map', () => {
      expect(check(`await tx.conversation.update({ where: { id }, data: { status: 'closed', closedAt: now } })`)).toEqual([
        'writes conversations.status outside the transition table',
        'writes conversations.closedAt outside the transition table',
      ])
      expect(check(`await prisma.conversation.updateMany({ where: { status: 'pending' }, data: { ...other, reminderSentAt: now } })`)).toHaveLength(1)
      expect(check(`const fields = { pendingSince: null }\nawait tx.conversation.update({ where: { id }, data: fields })`)).toHaveLength(1)
      expect(check(`const data = sending ? { status: 'pending' as const } : {}\nawait tx.conversation.create({ data: { subject, ...data } })`)).toHaveLength(1)
      expect(check(`await tx.conversation.createMany({ data: rows.map((r) => ({ ...r, status: 'new' })) })`)).toHaveLength(1)
      expect(check(`await tx.conversation.upsert({ where: { id }, create: { subject }, update: { closedById: null } })`)).toHaveLength(1)
    })

    it('catches SQL that sets or inserts status columns of conversations', () => {
      expect(check("await tx.$executeRaw`UPDATE conversations SET status = 'closed' WHERE id = ${id}`")).toEqual([
        'SQL sets conversations.status outside the transition table',
      ])
      expect(check('await tx.$executeRaw`UPDATE "conversations" c SET "snippet" = ${s}, "closedAt" = ${now} FROM due WHERE c.id = due.id`')).toHaveLength(1)
      expect(check(`await pool.query('INSERT INTO conversations (subject, status, channel) VALUES ($1, $2, $3)', values)`)).toHaveLength(1)
    })

    it('lets the door through, and leaves reads and other tables alone', () => {
      expect(check(`await tx.conversation.update({ where: { id, status: 'pending' }, data: statusFields(t, now, actor) })`)).toEqual([])
      expect(check(`await tx.conversation.create({ data: { subject, ...initialStatusFields(now, actor), lastActivityAt: now } })`)).toEqual([])
      expect(
        check("await tx.$queryRaw`UPDATE conversations c SET ${statusAssignments(t, now, SYSTEM)} FROM due WHERE c.id = due.id AND c.status = 'pending'`"),
      ).toEqual([])
      expect(check("await tx.$executeRaw`UPDATE outbox_emails SET status = 'sending' WHERE id = ${id}`")).toEqual([])
      expect(check(`await tx.outboxEmail.updateMany({ where: { id }, data: { status: 'failed' } })`)).toEqual([])
      expect(check(`await tx.conversation.count({ where: { status: { not: 'closed' } } })`)).toEqual([])
      expect(check(`const view = { status: c.status, closedAt: c.closedAt }`)).toEqual([])
      expect(check(`// UPDATE conversations SET status = 'closed' (a comment)`)).toEqual([])
    })
  })
})
