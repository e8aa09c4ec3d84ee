import type { Request, Response } from 'express'
import { Router } from 'express'
import { getOwnProfile } from '../../../domain/agents/profile.ts'
import { API_SCOPES, createApiToken, listApiTokens, revokeApiToken, type ApiScope, type ApiTokenSummary } from '../../../domain/apiTokens/apiTokens.ts'
import { NotFoundError, ValidationError } from '../../../domain/errors.ts'
import { languageOptions } from '../../../i18n/catalogues.ts'
import { timeZones } from '../../../i18n/format.ts'
import type { MessageKey } from '../../../i18n/translate.ts'
import type { AppContext } from '../../context.ts'
import { flash } from '../../middleware/flash.ts'
import { fieldMessages } from '../../messages.ts'

/** The expiries the form offers, in days ('' = until revoked). */
export const TOKEN_EXPIRIES = ['', '30', '90', '365'] as const

/** What the token section of the profile shows: the agent's tokens, the levels they may choose, and the form as typed. */
export interface TokenSection {
  tokens: (ApiTokenSummary & { level: ApiScope; levelLabel: string })[]
  levels: { value: ApiScope; label: string; hint: string }[]
  expiries: readonly string[]
  form: { name: string; level: string; expiresInDays: string }
  errors: Record<string, string>
  /** The secret of a token just made: on this answer only, never stored or redirected with. */
  created: { token: string; name: string } | null
}

/** A token's level: the widest of its scopes (scopes are cumulative). */
const levelOf = (scopes: ApiScope[]): ApiScope => [...API_SCOPES].reverse().find((s) => scopes.includes(s)) ?? 'read'

export async function tokenSection(ctx: AppContext, req: Request, res: Response, extra: Partial<TokenSection> = {}): Promise<TokenSection> {
  const label = (level: ApiScope) => req.t(`profile.apiTokens.level.${level}` as MessageKey)
  const tokens = (await listApiTokens(ctx.domain, req.agent!)).map((t) => ({ ...t, level: levelOf(t.scopes), levelLabel: label(levelOf(t.scopes)) }))
  // Admin tokens are for admins: the choice is not offered to others (the domain refuses it anyway).
  const levels = (res.locals.canAdminister ? API_SCOPES : API_SCOPES.filter((s) => s !== 'admin')).map((value) => ({
    value,
    label: label(value),
    hint: req.t(`profile.apiTokens.levelHint.${value}` as MessageKey),
  }))
  return { tokens, levels, expiries: TOKEN_EXPIRIES, form: { name: '', level: 'read', expiresInDays: '' }, errors: {}, created: null, ...extra }
}

/** The profile page with its token section, as the GET and the token POSTs render it. */
export async function renderProfile(
  ctx: AppContext,
  req: Request,
  res: Response,
  options: { status?: number; me?: object; errors?: object; apiTokens?: Partial<TokenSection> } = {},
) {
  const me = options.me ?? (await getOwnProfile(ctx.domain, req.agent!))
  res.status(options.status ?? 200).render('agent/profile', {
    title: req.t('agent.profile.title'),
    nav: '',
    me,
    languages: languageOptions(),
    zones: timeZones(),
    errors: options.errors ?? {},
    apiTokens: await tokenSection(ctx, req, res, options.apiTokens),
  })
}

/**
 * Personal API tokens, made and revoked from the profile. The secret exists once, in the answer to
 * the POST that made it: not in a flash, a URL or a cache (no-store), so a reload or the back
 * button cannot show it again.
 */
export function apiTokensRouter(ctx: AppContext): Router {
  const router = Router()
  router.post('/profile/api-tokens', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>
    const form = {
      name: typeof body.name === 'string' ? body.name : '',
      level: typeof body.level === 'string' ? body.level : '',
      expiresInDays: typeof body.expiresInDays === 'string' ? body.expiresInDays : '',
    }
    res.setHeader('Cache-Control', 'no-store')
    try {
      const { token, summary } = await createApiToken(ctx.domain, req.agent!, {
        name: form.name,
        level: form.level as ApiScope,
        expiresInDays: form.expiresInDays === '' ? undefined : (form.expiresInDays as unknown as number),
      })
      await renderProfile(ctx, req, res, { status: 201, apiTokens: { created: { token, name: summary.name } } })
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err
      await renderProfile(ctx, req, res, { status: 400, apiTokens: { form, errors: fieldMessages(req.t, err.fields) } })
    }
  })
  router.post('/profile/api-tokens/:tokenId/revoke', async (req, res) => {
    const tokenId = Number(req.params.tokenId)
    const mine = (await listApiTokens(ctx.domain, req.agent!)).find((t) => t.id === tokenId)
    // Only the agent's own tokens, from this page: an admin revokes others' elsewhere.
    if (!mine) throw new NotFoundError()
    await revokeApiToken(ctx.domain, req.agent!, { tokenId })
    flash(req, 'success', 'profile.apiTokens.revoked', { name: mine.name })
    res.redirect(303, '/profile#api-tokens')
  })
  return router
}
