import { Ajv2020 } from 'ajv/dist/2020.js'
import type { Actor } from '../../src/domain/actor.ts'
import { createApiToken, type ApiScope } from '../../src/domain/apiTokens/apiTokens.ts'
import type { DomainContext } from '../../src/domain/context.ts'

/**
 * An API client for tests that checks every answer against the OpenAPI document the app serves:
 * the operation must be described, the status documented for it, and the body must validate
 * against the documented schema (JSON Schema 2020-12, additional properties refused). A test that
 * goes through it proves the document says what the API does.
 */

type Json = Record<string, unknown>

/** What a test reads in an answer: already checked against the document, so tests read it freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = any

export interface ApiAnswer<T = Body> {
  status: number
  headers: Headers
  body: T
  /** The raw bytes, for files. */
  bytes: Buffer
}

interface DocumentedOperation {
  method: string
  template: string
  pattern: RegExp
  operation: Json
}

export class OpenApiChecker {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false })
  private readonly operations: DocumentedOperation[] = []
  /** `METHOD /template` of every operation a test called, to check none is left untried. */
  readonly called = new Set<string>()

  constructor(readonly document: Json) {
    this.ajv.addSchema({ $id: 'openapi', components: document.components } as Json)
    for (const [template, item] of Object.entries(document.paths as Record<string, Record<string, Json>>)) {
      for (const [method, operation] of Object.entries(item)) {
        const pattern = new RegExp('^' + template.replace(/\{\w+\}/g, '[^/]+') + '$')
        this.operations.push({ method: method.toUpperCase(), template, pattern, operation })
      }
    }
  }

  find(method: string, path: string): DocumentedOperation | undefined {
    const bare = path.split('?')[0]!
    // The most specific template first (/conversations/search before /conversations/{number}).
    return this.operations
      .filter((o) => o.method === method && o.pattern.test(bare))
      .sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0))[0]
  }

  /** Throws with the reason when the answer does not match the document. */
  check(method: string, path: string, answer: ApiAnswer) {
    const found = this.find(method, path.replace(/^\/api\/v1/, ''))
    if (!found) throw new Error(`${method} ${path} is not in the OpenAPI document`)
    this.called.add(`${method} ${found.template}`)
    const responses = found.operation.responses as Record<string, Json>
    const spec = responses[String(answer.status)] ?? responses.default
    if (!spec) throw new Error(`${method} ${path} answered ${answer.status}, which the document does not list`)
    if (!responses[String(answer.status)] && answer.status < 400) throw new Error(`${method} ${path} answered ${answer.status}, documented only as "default"`)
    const content = spec.content as Record<string, { schema: Json }> | undefined
    const type = (answer.headers.get('content-type') ?? '').split(';')[0]!.trim()
    if (!content) {
      if (answer.bytes.length > 0) throw new Error(`${method} ${path} answered ${answer.status} with a body the document does not describe`)
      return
    }
    const media = content[type]
    if (!media) throw new Error(`${method} ${path} answered ${answer.status} as ${type}; the document says ${Object.keys(content).join(', ')}`)
    if (!type.includes('json')) return
    const schema = this.resolveRefs(media.schema)
    const validate = this.ajv.compile(schema)
    if (!validate(answer.body)) {
      throw new Error(
        `${method} ${path} (${answer.status}) does not match its schema: ${this.ajv.errorsText(validate.errors)}\n${JSON.stringify(answer.body).slice(0, 1500)}`,
      )
    }
  }

  private resolveRefs(schema: Json): Json {
    return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/')) as Json
  }
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly token: string | null,
    readonly checker: OpenApiChecker,
  ) {}

  /** Another caller with the same document (another token, or none). */
  as(token: string | null) {
    return new ApiClient(this.baseUrl, token, this.checker)
  }

  async call<T = Body>(
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string>; form?: FormData; check?: boolean } = {},
  ): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = { Accept: 'application/json', ...(this.token ? { Authorization: `Bearer ${this.token}` } : {}), ...options.headers }
    let body: BodyInit | undefined
    if (options.form) body = options.form
    else if (options.body !== undefined) {
      headers['Content-Type'] ??= 'application/json'
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body)
    }
    const res = await fetch(this.baseUrl + '/api/v1' + path, { method, headers, body, redirect: 'manual' })
    const bytes = Buffer.from(await res.arrayBuffer())
    const type = res.headers.get('content-type') ?? ''
    const parsed = type.includes('json') && bytes.length ? JSON.parse(bytes.toString('utf8')) : bytes.toString('utf8')
    const answer = { status: res.status, headers: res.headers, body: parsed as T, bytes }
    if (options.check !== false) this.checker.check(method, '/api/v1' + path, answer)
    return answer
  }

  get<T = Body>(path: string, headers?: Record<string, string>) {
    return this.call<T>('GET', path, { headers })
  }
  post<T = Body>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.call<T>('POST', path, { body: body ?? {}, headers })
  }
  patch<T = Body>(path: string, body: unknown, headers?: Record<string, string>) {
    return this.call<T>('PATCH', path, { body, headers })
  }
  put<T = Body>(path: string, body: unknown, headers?: Record<string, string>) {
    return this.call<T>('PUT', path, { body, headers })
  }
  delete<T = Body>(path: string, headers?: Record<string, string>) {
    return this.call<T>('DELETE', path, { headers })
  }
}

/** A client for the app at `url`, with the document read from the app itself. */
export async function apiClient(url: string, token: string | null): Promise<ApiClient> {
  const res = await fetch(url + '/api/v1/openapi.json')
  if (!res.ok) throw new Error(`openapi.json answered ${res.status}`)
  return new ApiClient(url, token, new OpenApiChecker((await res.json()) as Json))
}

/** A personal token of `level` for the agent, through the same command the profile page uses. */
export async function buildApiToken(domain: DomainContext, agent: Actor, level: ApiScope = 'write', name = `token ${level}`): Promise<string> {
  return (await createApiToken(domain, agent, { name, level })).token
}
