import type { Request, Response } from 'express'
import type { MessageKey, Translate } from '../../i18n/translate.ts'
import { browserLanguage, useLanguage } from '../middleware/language.ts'
import { PROBLEM_TYPES, problem } from './problem.ts'

/**
 * The API reference page, written on the server from the OpenAPI document: what a person reads
 * and what a generator reads cannot differ. The page's own words follow Accept-Language (the API
 * comes before the app's language middleware); what comes from the document (summaries, field
 * descriptions) is in English, as written in the code.
 */

type Json = Record<string, unknown>

/** A type as shown: text, with links to the shared schemas it names. */
export type TypePart = { text: string } | { ref: string }

export interface FieldRow {
  name: string
  type: TypePart[]
  required: boolean
  description: string
  /** Limits and default, in the reader's language. */
  constraints: string[]
}

export interface ParameterRow extends FieldRow {
  in: string
}

export interface BodyView {
  contentType: string
  /** The shared schema it is, when it is one. */
  ref: string | null
  type: TypePart[]
  fields: FieldRow[]
}

export interface ResponseView {
  status: string
  description: string
  headers: { name: string; description: string }[]
  /** json: fields below; problem: a problem details object; file: bytes of `contentType`; empty: no body. */
  kind: 'json' | 'problem' | 'file' | 'empty'
  body: BodyView | null
}

export interface OperationView {
  anchor: string
  method: string
  path: string
  operationId: string
  summary: string
  description: string
  scope: string
  parameters: ParameterRow[]
  body: BodyView | null
  responses: ResponseView[]
}

export interface ReferenceModel {
  title: string
  version: string
  groups: { name: string; anchor: string; operations: OperationView[] }[]
  schemas: { name: string; anchor: string; description: string; type: TypePart[]; fields: FieldRow[] }[]
  problems: { type: string; anchor: string; uri: string; title: string; status: number; explanation: string }[]
  examples: Record<'auth' | 'problem' | 'idempotency' | 'ifMatch' | 'rateLimit' | 'pagination', string>
}

const COMPONENT = '#/components/schemas/'
const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete']
/** Nested objects are shown as dotted names down to this depth; deeper ones as "object". */
const MAX_DEPTH = 4

export const slug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')

const refName = (ref: unknown) => (typeof ref === 'string' && ref.startsWith(COMPONENT) ? ref.slice(COMPONENT.length) : null)

class Reader {
  constructor(
    private readonly components: Record<string, Json>,
    private readonly t: Translate,
  ) {}

  /** The schema a `$ref` names (the schema itself when it is not a reference). */
  resolve(schema: Json): Json {
    const name = refName(schema.$ref)
    return name ? (this.components[name] ?? {}) : schema
  }

  typeOf(schema: Json | undefined): TypePart[] {
    if (!schema || typeof schema !== 'object') return [{ text: 'any' }]
    const name = refName(schema.$ref)
    if (name) return [{ ref: name }]
    const alternatives = (schema.anyOf ?? schema.oneOf) as Json[] | undefined
    if (Array.isArray(alternatives)) return this.joined(alternatives.map((s) => this.typeOf(s)))
    if (schema.const !== undefined) return [{ text: JSON.stringify(schema.const) }]
    if (Array.isArray(schema.enum)) return [{ text: schema.enum.map((v) => JSON.stringify(v)).join(' | ') }]
    const type = schema.type
    if (Array.isArray(type)) return this.joined(type.map((one) => this.typeOf({ ...schema, type: one })))
    // Written as generics (array<Conversation>, record<string, integer>): the same in every language.
    if (type === 'array') return [{ text: 'array<' }, ...this.typeOf(schema.items as Json | undefined), { text: '>' }]
    if (type === 'object') {
      const extra = schema.additionalProperties
      if (!schema.properties && extra && typeof extra === 'object') return [{ text: 'record<string, ' }, ...this.typeOf(extra as Json), { text: '>' }]
      return [{ text: 'object' }]
    }
    if (typeof type === 'string') return [{ text: schema.format ? `${type} (${String(schema.format as string)})` : type }]
    return [{ text: 'any' }]
  }

  private joined(parts: TypePart[][]): TypePart[] {
    return parts.flatMap((p, i) => (i === 0 ? p : [{ text: ' | ' }, ...p]))
  }

  constraints(schema: Json): string[] {
    const t = this.t
    const out: string[] = []
    const s = this.nonNull(schema)
    const min = s.minimum ?? s.exclusiveMinimum
    const max = s.maximum ?? s.exclusiveMaximum
    if (typeof min === 'number' && typeof max === 'number' && max < Number.MAX_SAFE_INTEGER) out.push(`${min} – ${max}`)
    else if (typeof min === 'number' && min > Number.MIN_SAFE_INTEGER) out.push(`≥ ${min}`)
    else if (typeof max === 'number' && max < Number.MAX_SAFE_INTEGER) out.push(`≤ ${max}`)
    if (typeof s.minLength === 'number' && s.minLength > 0) out.push(t('api.reference.lengthMin', { min: s.minLength }))
    if (typeof s.maxLength === 'number') out.push(t('api.reference.lengthMax', { max: s.maxLength }))
    if (typeof s.maxItems === 'number') out.push(t('api.reference.itemsMax', { max: s.maxItems }))
    if (schema.default !== undefined) out.push(t('api.reference.default', { value: JSON.stringify(schema.default) }))
    return out
  }

  /** For limits, the non-null alternative of a nullable schema. */
  private nonNull(schema: Json): Json {
    const alternatives = (schema.anyOf ?? schema.oneOf) as Json[] | undefined
    if (!Array.isArray(alternatives)) return schema
    const real = alternatives.filter((a) => a.type !== 'null')
    return real.length === 1 ? real[0]! : schema
  }

  /** The fields of an object schema, nested objects as dotted names (`items[].subject`). */
  fields(schema: Json, prefix = '', depth = 0): FieldRow[] {
    const s = this.nonNull(this.resolve(schema))
    const properties = (s.properties ?? {}) as Record<string, Json>
    const required = new Set((s.required ?? []) as string[])
    const rows: FieldRow[] = []
    for (const [name, property] of Object.entries(properties)) {
      const full = prefix + name
      rows.push({
        name: full,
        type: this.typeOf(property),
        required: required.has(name),
        description: typeof property.description === 'string' ? property.description : '',
        constraints: this.constraints(property),
      })
      if (depth >= MAX_DEPTH || property.$ref) continue
      const inner = this.nonNull(property)
      if (inner.type === 'object' && inner.properties) rows.push(...this.fields(inner, `${full}.`, depth + 1))
      const items = inner.type === 'array' ? (inner.items as Json | undefined) : undefined
      if (items && !items.$ref && items.type === 'object' && items.properties) rows.push(...this.fields(items, `${full}[].`, depth + 1))
    }
    return rows
  }

  body(contentType: string, schema: Json): BodyView {
    return { contentType, ref: refName(schema.$ref), type: this.typeOf(schema), fields: this.fields(schema) }
  }
}

/** Everything the page shows, read from the document once per language. */
export function referenceModel(document: Json, t: Translate): Omit<ReferenceModel, 'examples'> {
  const components = ((document.components as Json | undefined)?.schemas ?? {}) as Record<string, Json>
  const reader = new Reader(components, t)
  const tagNames = ((document.tags ?? []) as { name: string }[]).map((tag) => tag.name)
  const groups = new Map<string, OperationView[]>(tagNames.map((name) => [name, []]))
  for (const [path, item] of Object.entries((document.paths ?? {}) as Record<string, Record<string, Json>>)) {
    for (const method of HTTP_METHODS) {
      const op = item[method]
      if (!op) continue
      const tag = ((op.tags as string[] | undefined) ?? ['API'])[0]!
      if (!groups.has(tag)) groups.set(tag, [])
      groups.get(tag)!.push(operationView(reader, method, path, op, t))
    }
  }
  return {
    title: String((document.info as Json | undefined)?.title ?? 'API'),
    version: String((document.info as Json | undefined)?.version ?? ''),
    groups: [...groups].filter(([, ops]) => ops.length).map(([name, operations]) => ({ name, anchor: `tag-${slug(name)}`, operations })),
    schemas: Object.entries(components).map(([name, schema]) => ({
      name,
      anchor: `schema-${name}`,
      description: typeof schema.description === 'string' ? schema.description : '',
      type: reader.typeOf(schema),
      fields: reader.fields(schema),
    })),
    problems: PROBLEM_TYPES.map((type) => {
      const p = problem(type)
      return { type, anchor: `problem-${type}`, uri: p.type, title: p.title, status: p.status, explanation: t(`api.reference.problem.${type}` as MessageKey) }
    }),
  }
}

function operationView(reader: Reader, method: string, path: string, op: Json, t: Translate): OperationView {
  const parameters = ((op.parameters ?? []) as Json[]).map((p) => {
    const schema = (p.schema ?? {}) as Json
    return {
      name: String(p.name),
      in: t(`api.reference.in.${String(p.in)}` as MessageKey),
      required: p.required === true,
      type: reader.typeOf(schema),
      description: typeof p.description === 'string' ? p.description : typeof schema.description === 'string' ? schema.description : '',
      constraints: reader.constraints(schema),
    }
  })
  const requestContent = ((op.requestBody as Json | undefined)?.content ?? null) as Record<string, { schema: Json }> | null
  const [requestType, request] = requestContent ? Object.entries(requestContent)[0]! : [null, null]
  const responses = Object.entries((op.responses ?? {}) as Record<string, Json>).map(([status, r]): ResponseView => {
    const content = (r.content ?? {}) as Record<string, { schema?: Json }>
    const headers = Object.entries((r.headers ?? {}) as Record<string, Json>).map(([name, h]) => ({ name, description: String(h.description ?? '') }))
    const [type, media] = Object.entries(content)[0] ?? [null, null]
    const kind = !type ? 'empty' : type === 'application/problem+json' ? 'problem' : type.includes('json') ? 'json' : 'file'
    return {
      status,
      description: String(r.description ?? ''),
      headers,
      kind,
      body:
        kind === 'json' && media?.schema ? reader.body(type!, media.schema) : kind === 'file' ? { contentType: type!, ref: null, type: [], fields: [] } : null,
    }
  })
  return {
    anchor: `op-${String(op.operationId ?? slug(`${method} ${path}`))}`,
    method: method.toUpperCase(),
    path,
    operationId: String(op.operationId ?? ''),
    summary: String(op.summary ?? ''),
    description: typeof op.description === 'string' ? op.description : '',
    scope: String(op['x-scope'] ?? ''),
    parameters,
    body: request ? reader.body(requestType!, request.schema) : null,
    responses,
  }
}

/** The page's code samples (not translated: they are what a program sends and receives). */
export function examples(base: string): ReferenceModel['examples'] {
  return {
    auth: `curl ${base}/me \\\n  -H "Authorization: Bearer $SUIVI_TOKEN"`,
    problem: JSON.stringify(
      {
        type: '/api/v1/reference#problem-validation-failed',
        title: 'Validation failed',
        status: 422,
        detail: 'Please check the highlighted fields',
        instance: '/api/v1/conversations',
        errors: [{ pointer: '/body/subject', detail: 'Subject: required.' }],
      },
      null,
      2,
    ),
    idempotency: `curl -X POST ${base}/conversations/1042/replies \\\n  -H "Authorization: Bearer $SUIVI_TOKEN" \\\n  -H "Idempotency-Key: 5f0c3d9e-7b1a-4e0f-9a57-2c4b8e1d6f30" \\\n  -H "Content-Type: application/json" \\\n  -d '{"text": "Your refund is on its way."}'`,
    ifMatch: `GET ${base}/conversations/1042\n← ETag: "Xq3vB0c8dJm2kP4tR6yW1zA9sLe"\n\nPATCH ${base}/conversations/1042\n→ If-Match: "Xq3vB0c8dJm2kP4tR6yW1zA9sLe"\n← 412 when it changed meanwhile`,
    rateLimit: `RateLimit-Policy: "600-in-1min"; q=600; w=60\nRateLimit: "600-in-1min"; r=598; t=42\n\n429 Too Many Requests\nRetry-After: 42`,
    pagination: `GET ${base}/conversations?limit=20\n← { "items": […], "next": "eyJpZCI6MTIzfQ" }\n\nGET ${base}/conversations?limit=20&after=eyJpZCI6MTIzfQ\n← { "items": […], "next": null }`,
  }
}

/** The page, in the reader's language; the document is read once per language. */
export function referencePage(document: () => object) {
  const models = new WeakMap<object, Map<string, Omit<ReferenceModel, 'examples'>>>()
  return (req: Request, res: Response) => {
    const locale = browserLanguage(req)
    useLanguage(req, res, locale, 'UTC')
    const doc = document() as Json
    let byLocale = models.get(doc)
    if (!byLocale) models.set(doc, (byLocale = new Map()))
    let model = byLocale.get(locale)
    if (!model) byLocale.set(locale, (model = referenceModel(doc, req.t)))
    // The samples name this server, as the reader reached it.
    const server = String(((doc.servers as { url: string }[] | undefined) ?? [{ url: '/api/v1' }])[0]!.url)
    const base = `${req.protocol}://${req.get('host') ?? 'localhost'}${server}`
    res.setHeader('Vary', 'Accept-Language')
    res.setHeader('Cache-Control', 'no-cache')
    res.render('api/reference', {
      title: req.t('api.reference.title'),
      reference: { ...model, examples: examples(base) },
      openApiHref: `${server}/openapi.json`,
    })
  }
}
