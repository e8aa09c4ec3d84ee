import { createHash, randomBytes } from 'node:crypto'
import { z } from 'zod'
import type { Actor } from '../actor.ts'
import type { DomainContext, QueryContext } from '../context.ts'
import { ForbiddenError, NotFoundError, parseInput } from '../errors.ts'
import { recordAdminEvent } from '../events/record.ts'
import { can, INSTANCE } from '../policy.ts'
import { transaction } from '../transaction.ts'

/**
 * Personal API tokens. The secret is shown once and only its SHA-256 is kept (a token is 256
 * random bits: a slow hash would add nothing but cost on every call). A token acts as its agent,
 * never more: the policy decides on the agent, the scopes only narrow what the token may ask.
 */

/** Scopes are levels: `write` includes reading, `admin` includes both (and needs an admin agent). */
export const API_SCOPES = ['read', 'write', 'admin'] as const
export type ApiScope = (typeof API_SCOPES)[number]
export const SCOPES_OF_LEVEL: Record<ApiScope, ApiScope[]> = { read: ['read'], write: ['read', 'write'], admin: ['read', 'write', 'admin'] }

const TOKEN_PREFIX = 'suivi_'
/** How many characters of a token lists show to tell tokens apart (the prefix and 6 more). */
const SHOWN = TOKEN_PREFIX.length + 6

export const hashApiToken = (token: string) => createHash('sha256').update(token).digest('hex')

export const createApiTokenSchema = z.object({
  name: z.string().trim().min(1).max(80),
  level: z.enum(API_SCOPES),
  /** Days until it expires; none: until revoked. */
  expiresInDays: z.coerce.number().int().min(1).max(3650).optional(),
})

export interface ApiTokenSummary {
  id: number
  name: string
  prefix: string
  scopes: ApiScope[]
  expiresAt: Date | null
  lastUsedAt: Date | null
  createdAt: Date
}

/** Makes a token for the agent; the returned `token` is the only time the secret exists outside the caller. */
export async function createApiToken(
  ctx: DomainContext,
  agent: Actor,
  input: z.input<typeof createApiTokenSchema>,
): Promise<{ token: string; summary: ApiTokenSummary }> {
  const { name, level, expiresInDays } = parseInput(createApiTokenSchema, input)
  if (level === 'admin' && !can(agent, 'administer', INSTANCE)) throw new ForbiddenError('error.adminOnly')
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url')
  const now = ctx.clock()
  const expiresAt = expiresInDays ? new Date(now.getTime() + expiresInDays * 86_400_000) : null
  const scopes = SCOPES_OF_LEVEL[level]
  const row = await transaction(ctx, async (tx) => {
    const created = await tx.apiToken.create({
      data: { agentId: agent.id, name, prefix: token.slice(0, SHOWN), tokenHash: hashApiToken(token), scopes, expiresAt, createdAt: now },
    })
    await recordAdminEvent(tx, {
      type: 'agent.api_token_created',
      agentId: agent.id,
      at: now,
      target: { type: 'agent', id: agent.id },
      data: { tokenId: created.id, name, scopes, expiresAt: expiresAt?.toISOString() ?? null },
    })
    return created
  })
  return { token, summary: summaryOf(row) }
}

/** Revokes one of the agent's own tokens (an admin may revoke anyone's). */
export async function revokeApiToken(ctx: DomainContext, agent: Actor, input: { tokenId: number }): Promise<void> {
  const tokenId = parseInput(z.object({ tokenId: z.coerce.number().int().positive() }), input).tokenId
  const now = ctx.clock()
  await transaction(ctx, async (tx) => {
    const row = await tx.apiToken.findUnique({ where: { id: tokenId } })
    if (!row || (row.agentId !== agent.id && !can(agent, 'administer', INSTANCE))) throw new NotFoundError()
    if (row.revokedAt) return
    await tx.apiToken.update({ where: { id: tokenId }, data: { revokedAt: now } })
    await recordAdminEvent(tx, {
      type: 'agent.api_token_revoked',
      agentId: agent.id,
      at: now,
      target: { type: 'agent', id: row.agentId },
      data: { tokenId, name: row.name },
    })
  })
}

/** The agent's tokens still in force, newest first (revoked ones are gone from the list). */
export async function listApiTokens(ctx: QueryContext, agent: Actor): Promise<ApiTokenSummary[]> {
  const rows = await ctx.prisma.apiToken.findMany({ where: { agentId: agent.id, revokedAt: null }, orderBy: { id: 'desc' } })
  return rows.map(summaryOf)
}

function summaryOf(row: {
  id: number
  name: string
  prefix: string
  scopes: string[]
  expiresAt: Date | null
  lastUsedAt: Date | null
  createdAt: Date
}): ApiTokenSummary {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes as ApiScope[],
    expiresAt: row.expiresAt,
    lastUsedAt: row.lastUsedAt,
    createdAt: row.createdAt,
  }
}

export interface TokenBearer {
  token: { id: number; scopes: ApiScope[] }
  /** The token's agent with their folders, as the policy needs them. */
  agent: Actor
}

interface BearerRow {
  tokenId: number
  scopes: string[]
  lastUsedAt: Date | null
  id: number
  name: string
  email: string
  role: 'admin' | 'agent'
  locale: string
  timeZone: string
  folderIds: number[]
}

/** How often `lastUsedAt` is written: a token called 100 times a second must not write 100 rows. */
const LAST_USED_RESOLUTION_MS = 60_000

/**
 * The token's bearer, in one statement (token, agent and folders), or null when the token is
 * unknown, revoked, expired or its agent deactivated.
 */
export async function authenticateApiToken(ctx: QueryContext, raw: string, now: Date): Promise<TokenBearer | null> {
  if (!raw.startsWith(TOKEN_PREFIX) || raw.length > 200) return null
  const [row] = await ctx.prisma.$queryRaw<BearerRow[]>`
    SELECT t.id AS "tokenId", t.scopes::text[] AS scopes, t."lastUsedAt", a.id, a.name, a.email, a.role::text AS role, a.locale, a."timeZone",
           COALESCE((SELECT array_agg(fm."folderId" ORDER BY fm."folderId") FROM folder_members fm WHERE fm."agentId" = a.id), '{}') AS "folderIds"
    FROM api_tokens t JOIN agents a ON a.id = t."agentId"
    WHERE t."tokenHash" = ${hashApiToken(raw)} AND t."revokedAt" IS NULL AND (t."expiresAt" IS NULL OR t."expiresAt" > ${now}) AND a.active`
  if (!row) return null
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    // Bookkeeping, not a change anyone acts on: written beside the request, its failure ignored.
    ctx.prisma.apiToken.update({ where: { id: row.tokenId }, data: { lastUsedAt: now } }).catch(() => {})
  }
  return {
    token: { id: row.tokenId, scopes: row.scopes as ApiScope[] },
    agent: { id: row.id, name: row.name, email: row.email, role: row.role, locale: row.locale, timeZone: row.timeZone, folderIds: row.folderIds, active: true },
  }
}
