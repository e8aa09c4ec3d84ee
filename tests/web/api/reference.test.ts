import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { openApiDocument } from '../../../src/web/api/openapi.ts'
import { operation, pageOf } from '../../../src/web/api/operation.ts'
import { PROBLEM_TYPES } from '../../../src/web/api/problem.ts'
import { referenceModel } from '../../../src/web/api/reference.ts'
import { translator } from '../../../src/i18n/translate.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

describe('the API reference page', () => {
  let app: TestApp
  let document: Json

  beforeAll(async () => {
    app = await startTestApp()
    document = (await (await fetch(`${app.url}/api/v1/openapi.json`)).json()) as Json
  })
  afterAll(async () => {
    await app?.close()
  })

  it('is public, and shows every operation of the document with its method, path, summary and scope', async () => {
    const res = await fetch(`${app.url}/api/v1/reference`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/html/)
    const html = await res.text()
    expect(html).toContain('<html lang="en">')
    expect(html).toContain('<h1>API reference</h1>')
    expect(html).toContain('href="/api/v1/openapi.json"')
    let operations = 0
    for (const [path, item] of Object.entries(document.paths as Record<string, Record<string, Json>>)) {
      for (const [method, op] of Object.entries(item)) {
        operations++
        const start = html.indexOf(`id="op-${op.operationId}"`)
        expect(start, `${method} ${path} is on the page`).toBeGreaterThan(0)
        const article = html.slice(start, html.indexOf('</article>', start))
        expect(article).toContain(`>${method.toUpperCase()}</span>`)
        expect(article).toContain(`<code class="api-path">${escape(path)}</code>`)
        expect(article).toContain(`api-scope-${op['x-scope']}`)
        // Every parameter and every documented status is listed.
        for (const p of (op.parameters ?? []) as Json[]) expect(article, `${op.operationId}: ${p.name}`).toContain(`<code>${escape(p.name)}</code>`)
        for (const status of Object.keys(op.responses)) expect(article, `${op.operationId}: ${status}`).toContain(`>${status}</code>`)
      }
    }
    expect(operations).toBeGreaterThan(0)
    // Every shared schema has its section, so that the links of the types lead somewhere.
    for (const name of Object.keys(document.components.schemas)) expect(html).toContain(`id="schema-${name}"`)
    for (const link of html.matchAll(/href="#([^"]+)"/g)) expect(html, `the anchor #${link[1]} exists`).toContain(`id="${link[1]}"`)
  })

  it('explains every problem type at the anchor its `type` URI points to', async () => {
    const html = await (await fetch(`${app.url}/api/v1/reference`)).text()
    expect(document['x-problem-types']).toEqual(PROBLEM_TYPES)
    for (const type of PROBLEM_TYPES) {
      const start = html.indexOf(`id="problem-${type}"`)
      expect(start, type).toBeGreaterThan(0)
      expect(html.slice(start, start + 600)).toContain(`<code>/api/v1/reference#problem-${type}</code>`)
    }
    // A real problem answered by the API points to one of them.
    const refused = await fetch(`${app.url}/api/v1/me`)
    expect(refused.status).toBe(401)
    const problem = (await refused.json()) as Json
    expect(problem.type).toBe('/api/v1/reference#problem-unauthorized')
    expect(html).toContain('id="problem-unauthorized"')
  })

  it('speaks the language the browser asks for; the summaries stay as the document says them', async () => {
    const res = await fetch(`${app.url}/api/v1/reference`, { headers: { 'Accept-Language': 'fr-FR,fr;q=0.9,en;q=0.5' } })
    expect(res.headers.get('vary')).toMatch(/Accept-Language/)
    const html = await res.text()
    expect(html).toContain('<html lang="fr">')
    expect(html).toContain('<h1>Référence de l’API</h1>')
    expect(html).toContain('Authentification')
    expect(html).toContain('Limites de débit')
    expect(html).toContain('The token’s agent and scopes')
    const german = await (await fetch(`${app.url}/api/v1/reference`, { headers: { 'Accept-Language': 'de' } })).text()
    expect(german).toContain('<html lang="en">')
  })

  it('runs no inline script or style (the content security policy forbids them) and names this server in its samples', async () => {
    const res = await fetch(`${app.url}/api/v1/reference`)
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'")
    const html = await res.text()
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/)
    expect(html).not.toMatch(/<style\b/)
    expect(html).not.toMatch(/\sstyle="/)
    expect(html).toContain('href="/public/css/api-reference.css"')
    expect(html).toContain(`curl ${app.url}/api/v1/me`)
  })

  it('reads any schema into fields: shared ones by link, nested objects as dotted names, limits and defaults', () => {
    const Item = z
      .object({ id: z.number().int(), subject: z.string().max(200), closedAt: z.iso.datetime().nullable() })
      .meta({ id: 'Thing', description: 'A thing.' })
    const ops = [
      operation({
        method: 'get',
        path: '/things',
        operationId: 'listThings',
        summary: 'List `things`',
        tag: 'Things',
        scope: 'read',
        query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(50), status: z.enum(['open', 'closed']).optional() }),
        responses: { 200: { description: 'A page.', schema: pageOf(Item) } },
        handler: async () => ({}),
      }),
      operation({
        method: 'post',
        path: '/things/{thingId}/notes',
        operationId: 'addNote',
        summary: 'Add a note',
        tag: 'Things',
        scope: 'write',
        params: z.object({ thingId: z.coerce.number().int().positive() }),
        body: z.object({ text: z.string().min(1), meta: z.object({ source: z.string(), tags: z.array(z.string()).max(5) }).optional() }),
        responses: { 204: { description: 'Added.' }, 200: { description: 'The file.', contentType: 'application/pdf' } },
        handler: async () => ({}),
      }),
    ]
    const doc = openApiDocument(ops, { version: '9.9.9', serverUrl: '/api/v1' })
    const model = referenceModel(doc, translator('en'))
    expect(model.version).toBe('9.9.9')
    expect(model.groups.map((g) => [g.name, g.anchor, g.operations.map((o) => o.anchor)])).toEqual([['Things', 'tag-things', ['op-listThings', 'op-addNote']]])
    const [list, add] = model.groups[0]!.operations
    const limit = list!.parameters.find((p) => p.name === 'limit')!
    expect(limit).toMatchObject({ in: 'query', required: false, type: [{ text: 'integer' }] })
    expect(limit.constraints).toEqual(['1 – 100', 'default 50'])
    expect(list!.parameters.find((p) => p.name === 'status')!.type).toEqual([{ text: '"open" | "closed"' }])
    const page = list!.responses.find((r) => r.status === '200')!
    expect(page.kind).toBe('json')
    expect(page.body!.fields.map((f) => [f.name, f.type, f.required])).toEqual([
      ['items', [{ text: 'array<' }, { ref: 'Thing' }, { text: '>' }], true],
      ['next', [{ text: 'string' }, { text: ' | ' }, { text: 'null' }], true],
    ])
    expect(list!.responses.find((r) => r.status === '401')!.kind).toBe('problem')
    expect(add!.parameters.map((p) => [p.name, p.in, p.required])).toEqual([
      ['thingId', 'path', true],
      ['Idempotency-Key', 'header', false],
    ])
    expect(add!.body!.fields.map((f) => [f.name, f.required, f.constraints])).toEqual([
      ['text', true, ['at least 1 characters']],
      ['meta', false, []],
      ['meta.source', true, []],
      ['meta.tags', true, ['at most 5 items']],
    ])
    expect(add!.responses.map((r) => [r.status, r.kind])).toEqual([
      ['200', 'file'],
      ['204', 'empty'],
      ['401', 'problem'],
      ['403', 'problem'],
      ['422', 'problem'],
      ['429', 'problem'],
      ['default', 'problem'],
    ])
    const thing = model.schemas.find((s) => s.name === 'Thing')!
    expect(thing).toMatchObject({ anchor: 'schema-Thing', description: 'A thing.' })
    expect(thing.fields.map((f) => [f.name, f.type])).toEqual([
      ['id', [{ text: 'integer' }]],
      ['subject', [{ text: 'string' }]],
      ['closedAt', [{ text: 'string (date-time)' }, { text: ' | ' }, { text: 'null' }]],
    ])
    expect(model.problems.map((p) => p.anchor)).toEqual(PROBLEM_TYPES.map((t) => `problem-${t}`))
    // The French page explains the same problems in French.
    expect(referenceModel(doc, translator('fr')).problems.find((p) => p.type === 'not-found')!.explanation).toMatch(/^Rien ici/)
  })
})

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;')
