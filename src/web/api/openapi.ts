import { isDeepStrictEqual } from 'node:util'
import { z, type ZodType } from 'zod'
import type { AnyOperation } from './operation.ts'
import { PROBLEM_TYPES } from './problem.ts'

/**
 * The OpenAPI 3.1 document of the API, written from the operations themselves: their zod schemas
 * become JSON Schema 2020-12 (OpenAPI 3.1's dialect) through zod's own converter, and schemas named
 * with `.meta({ id })` become shared components.
 */

type Json = Record<string, unknown>

const COMPONENT = '#/components/schemas/'

class Components {
  readonly schemas: Record<string, Json> = {}

  /** The JSON Schema of `schema`, its named parts moved to the components. */
  convert(schema: ZodType, io: 'input' | 'output'): Json {
    const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json
    delete json.$schema
    const defs = (json.$defs ?? {}) as Record<string, Json>
    delete json.$defs
    // A name taken with another shape (a schema read as input differs from its output) gets a suffix.
    const renamed: Record<string, string> = {}
    for (const [id, def] of Object.entries(defs)) {
      const name = this.schemas[id] && !isDeepStrictEqual(this.schemas[id], def) && io === 'input' ? `${id}Input` : id
      renamed[id] = name
    }
    const rewrite = (node: unknown): unknown => {
      if (Array.isArray(node)) return node.map(rewrite)
      if (!node || typeof node !== 'object') return node
      const out: Json = {}
      for (const [k, v] of Object.entries(node)) {
        out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/') ? COMPONENT + renamed[v.slice(8)] : rewrite(v)
      }
      return out
    }
    for (const [id, def] of Object.entries(defs)) this.schemas[renamed[id]!] ??= rewrite(def) as Json
    return rewrite(json) as Json
  }
}

/** Query and path parameters: one entry per property of the object schema. */
function parameters(components: Components, schema: ZodType | undefined, where: 'query' | 'path'): Json[] {
  if (!schema) return []
  const json = components.convert(schema, 'input')
  const properties = (json.properties ?? {}) as Record<string, Json>
  const required = new Set((json.required ?? []) as string[])
  return Object.entries(properties).map(([name, s]) => {
    const { description, ...rest } = s
    return { name, in: where, required: where === 'path' || required.has(name), ...(description ? { description } : {}), schema: rest }
  })
}

const PROBLEM = { $ref: COMPONENT + 'Problem' }

export function openApiDocument(operations: readonly AnyOperation[], info: { version: string; serverUrl: string }): Json {
  const components = new Components()
  components.schemas.Problem = {
    type: 'object',
    description: 'RFC 9457 problem details.',
    properties: {
      type: { type: 'string', description: 'A URI naming the kind of problem; it links to its explanation.' },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      instance: { type: 'string' },
      errors: {
        type: 'array',
        description: 'The fields at fault, for invalid input.',
        items: {
          type: 'object',
          properties: {
            pointer: { type: 'string', description: 'A JSON Pointer into the request: /body/subject, /query/limit …' },
            detail: { type: 'string' },
          },
          required: ['pointer', 'detail'],
        },
      },
    },
    required: ['type', 'title', 'status'],
  }
  const paths: Record<string, Record<string, Json>> = {}
  for (const op of operations) {
    const responses: Record<string, Json> = {}
    for (const [status, r] of Object.entries(op.responses)) {
      const headers = r.headers
        ? Object.fromEntries(Object.entries(r.headers).map(([h, description]) => [h, { description, schema: { type: 'string' } }]))
        : undefined
      const content = r.schema
        ? { 'application/json': { schema: components.convert(r.schema, 'output') } }
        : r.contentType
          ? { [r.contentType]: { schema: { type: 'string', format: 'binary' } } }
          : undefined
      responses[status] = { description: r.description, ...(headers ? { headers } : {}), ...(content ? { content } : {}) }
    }
    // Every operation may answer these; documented once per operation so clients generate them.
    for (const status of ['401', '403', '422', '429']) {
      responses[status] ??= { description: PROBLEM_DESCRIPTIONS[status]!, content: { 'application/problem+json': { schema: PROBLEM } } }
    }
    responses.default = { description: 'Any other problem.', content: { 'application/problem+json': { schema: PROBLEM } } }
    let requestBody: Json | undefined
    if (op.body) {
      const schema = components.convert(op.body, 'input')
      requestBody = op.upload
        ? {
            required: true,
            content: {
              'multipart/form-data': {
                schema: {
                  ...schema,
                  properties: { ...((schema.properties as Json) ?? {}), file: { type: 'string', format: 'binary' } },
                  required: ['file', ...((schema.required as string[]) ?? [])],
                },
              },
            },
          }
        : { required: true, content: { 'application/json': { schema } } }
    }
    const headerParameters =
      op.method === 'post'
        ? [
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: false,
              description: 'Sent again with a retry, the first answer is replayed instead of acting twice (kept 24 hours).',
              schema: { type: 'string', maxLength: 255 },
            },
          ]
        : op.method === 'patch' || op.method === 'put' || op.method === 'delete'
          ? [
              {
                name: 'If-Match',
                in: 'header',
                required: false,
                description: 'The ETag of the version read: the change is refused (412) if it is no longer current.',
                schema: { type: 'string' },
              },
            ]
          : []
    ;(paths[op.path] ??= {})[op.method] = {
      operationId: op.operationId,
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      tags: [op.tag],
      security: [{ bearer: [op.scope] }],
      'x-scope': op.scope,
      parameters: [...parameters(components, op.params, 'path'), ...parameters(components, op.query, 'query'), ...headerParameters],
      ...(requestBody ? { requestBody } : {}),
      responses,
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Suivi API',
      version: info.version,
      description:
        'The help desk’s REST API. Authenticate with a personal API token (profile page) sent as `Authorization: Bearer <token>`; a token acts as its agent and never sees more than them. Errors are RFC 9457 problem details.',
    },
    servers: [{ url: info.serverUrl }],
    tags: [...new Set(operations.map((o) => o.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: components.schemas,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A personal API token; its scopes are read, write (includes read) and admin (includes both).' },
      },
    },
    'x-problem-types': PROBLEM_TYPES,
  }
}

const PROBLEM_DESCRIPTIONS: Record<string, string> = {
  '401': 'No token, or a token unknown, revoked or expired.',
  '403': 'The token’s scope or its agent’s rights do not allow this.',
  '422': 'Invalid input: `errors` names each field at fault.',
  '429': 'Too many calls with this token (RateLimit and Retry-After say when to try again).',
}
