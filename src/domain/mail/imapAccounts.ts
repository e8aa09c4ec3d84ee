import { ImapFlow, type ImapFlowOptions } from 'imapflow'
import type { Logger } from 'pino'
import { z } from 'zod'
import { schemaMessage } from '../../i18n/issueMessages.ts'
import type { ImapAccount, Prisma as P } from '../../generated/prisma/client.ts'
import type { Actor } from '../actor.ts'
import type { DomainContext, QueryContext } from '../context.ts'
import { NotFoundError, ValidationError, parseInput } from '../errors.ts'
import { recordAdminEvent } from '../events/record.ts'
import type { EventData } from '../events/types.ts'
import { parseId, rowId } from '../input.ts'
import { authorize, INSTANCE } from '../policy.ts'
import { transaction } from '../transaction.ts'

// IMAP mailboxes polled for inbound mail (SPEC §5), managed by administrators. The password is
// write-only: it is stored for the poller, never returned to a page, an audit entry or a log line.

// A form's unchecked box sends nothing: the web layer passes booleans; a missing flag means on.
const flag = z.preprocess((v) => v === undefined || v === true || v === 'on' || v === 'true' || v === '1', z.boolean())
const emptyToNull = (v: unknown) => (v === undefined || v === null || (typeof v === 'string' && v.trim() === '') ? null : v)
// Host names and IP literals; no spaces, schemes or paths (an easy mistake: "imaps://mail.example.com").
const HOST = /^(?:\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.?)$/i
// IMAP mailbox names: printable, no control characters.
const MAILBOX = /^[^\u0000-\u001f\u007f]+$/
const mailboxName = z
  .string()
  .trim()
  .max(200, schemaMessage('validation.useAtMost', { max: 200 }))
  .regex(MAILBOX, 'validation.printableOnly')

export const imapAccountInput = z.object({
  host: z
    .string()
    .trim()
    .min(1, 'validation.enterServerName')
    .max(253, schemaMessage('validation.useAtMost', { max: 253 }))
    .regex(HOST, 'validation.serverNameShape'),
  port: z.coerce.number({ error: 'validation.enterPort' }).int('validation.enterWholeNumber').min(1, 'validation.portRange').max(65535, 'validation.portRange'),
  secure: flag,
  username: z
    .string()
    .trim()
    .min(1, 'validation.enterUserName')
    .max(320, schemaMessage('validation.useAtMost', { max: 320 })),
  password: z
    .string()
    .max(1000, schemaMessage('validation.useAtMost', { max: 1000 }))
    .optional(),
  mailbox: z.preprocess((v) => emptyToNull(v) ?? 'INBOX', mailboxName),
  moveToMailbox: z.preprocess(emptyToNull, mailboxName.nullable()),
  folderId: z.preprocess(emptyToNull, rowId.nullable()),
  enabled: flag,
})

export type ImapAccountInput = z.input<typeof imapAccountInput>

/** What pages and audit entries may show of an account: everything but the password. */
export type ImapAccountView = Omit<ImapAccount, 'password'> & { hasPassword: boolean }

export function withoutPassword(account: ImapAccount): ImapAccountView {
  const { password, ...rest } = account
  return { ...rest, hasPassword: password !== '' }
}

/** The account a command acts on (any form of id; a malformed one is an account that does not exist). */
export type ImapAccountRef = { accountId: unknown }

const NO_ACCOUNT = 'error.imapAccountNotFound'
const accountId = (input: ImapAccountRef) => parseId(input.accountId, NO_ACCOUNT)

type Parsed = z.output<typeof imapAccountInput>
/** The audited description of the settings: never the password. */
const auditable = (a: Omit<Parsed, 'password'>) => ({
  host: a.host,
  port: a.port,
  secure: a.secure,
  username: a.username,
  mailbox: a.mailbox,
  moveToMailbox: a.moveToMailbox,
  folderId: a.folderId,
  enabled: a.enabled,
})

async function checkFolder(tx: Pick<DomainContext['prisma'], 'folder'>, folderId: number | null) {
  if (folderId !== null && !(await tx.folder.findUnique({ where: { id: folderId }, select: { id: true } }))) {
    throw new ValidationError('validation.checkFields', { folderId: { key: 'validation.folderGone' } })
  }
}

export async function createImapAccount(ctx: DomainContext, admin: Actor, input: ImapAccountInput): Promise<ImapAccountView> {
  authorize(admin, 'administer', INSTANCE)
  const data = parseInput(imapAccountInput, input)
  if (!data.password) throw new ValidationError('validation.checkFields', { password: { key: 'validation.enterPassword' } })
  const { password, ...rest } = data
  const account = await transaction(ctx, async (tx) => {
    await checkFolder(tx, data.folderId)
    const created = await tx.imapAccount.create({ data: { ...rest, password } })
    await recordAdminEvent(tx, {
      type: 'imap.created',
      agentId: admin.id,
      at: ctx.clock(),
      target: { type: 'imap_account', id: String(created.id) },
      data: auditable(rest),
    })
    return created
  })
  return withoutPassword(account)
}

/**
 * Saves an account's settings. An empty password keeps the stored one, except when the server
 * changes: then it must be typed again, so that the stored password is never sent to a new host.
 */
export async function updateImapAccount(ctx: DomainContext, admin: Actor, input: ImapAccountRef & ImapAccountInput): Promise<ImapAccountView> {
  authorize(admin, 'administer', INSTANCE)
  const target = accountId(input)
  const { password, ...rest } = parseInput(imapAccountInput, input)
  const account = await transaction(ctx, async (tx) => {
    const rows = await tx.$queryRaw<{ id: number }[]>`SELECT id FROM imap_accounts WHERE id = ${target} FOR UPDATE`
    if (rows.length === 0) throw new NotFoundError(NO_ACCOUNT)
    const before = await tx.imapAccount.findUniqueOrThrow({ where: { id: target } })
    if (!password && rest.host.toLowerCase() !== before.host.toLowerCase()) {
      throw new ValidationError('validation.checkFields', { password: { key: 'validation.enterPasswordAgain' } })
    }
    await checkFolder(tx, rest.folderId)
    const old = auditable(before)
    const next = auditable(rest)
    const changes: Record<string, P.InputJsonValue | null> = {}
    for (const key of Object.keys(next) as (keyof typeof next)[]) {
      if (next[key] !== old[key]) changes[key] = { from: old[key], to: next[key] }
    }
    const passwordChanged = Boolean(password) && password !== before.password
    // Under a key the audit page shows (keys naming a password are never displayed).
    if (passwordChanged) changes.credentials = 'password replaced'
    if (Object.keys(changes).length === 0) return before
    const updated = await tx.imapAccount.update({ where: { id: target }, data: { ...rest, ...(password ? { password } : {}) } })
    await recordAdminEvent(tx, {
      type: 'imap.updated',
      agentId: admin.id,
      at: ctx.clock(),
      target: { type: 'imap_account', id: String(target) },
      data: { username: updated.username, host: updated.host, ...changes },
    })
    return updated
  })
  return withoutPassword(account)
}

export async function deleteImapAccount(ctx: DomainContext, admin: Actor, input: ImapAccountRef): Promise<ImapAccountView> {
  authorize(admin, 'administer', INSTANCE)
  const target = accountId(input)
  const account = await transaction(ctx, async (tx) => {
    const found = await tx.imapAccount.findUnique({ where: { id: target } })
    if (!found) throw new NotFoundError(NO_ACCOUNT)
    await tx.imapAccount.delete({ where: { id: target } })
    await recordAdminEvent(tx, {
      type: 'imap.deleted',
      agentId: admin.id,
      at: ctx.clock(),
      target: { type: 'imap_account', id: String(target) },
      data: { username: found.username, host: found.host },
    })
    return found
  })
  return withoutPassword(account)
}

const enabledInput = z.object({ enabled: z.boolean() })

/** Turns polling of an account on or off (the poller reads the flag before every poll). */
export async function setImapAccountEnabled(ctx: DomainContext, admin: Actor, input: ImapAccountRef & z.input<typeof enabledInput>): Promise<ImapAccountView> {
  authorize(admin, 'administer', INSTANCE)
  const target = accountId(input)
  const { enabled } = parseInput(enabledInput, input)
  const account = await transaction(ctx, async (tx) => {
    const found = await tx.imapAccount.findUnique({ where: { id: target } })
    if (!found) throw new NotFoundError(NO_ACCOUNT)
    if (found.enabled === enabled) return found
    const updated = await tx.imapAccount.update({ where: { id: target }, data: { enabled } })
    await recordAdminEvent(tx, {
      type: enabled ? 'imap.enabled' : 'imap.disabled',
      agentId: admin.id,
      at: ctx.clock(),
      target: { type: 'imap_account', id: String(target) },
      data: { username: found.username, host: found.host },
    })
    return updated
  })
  return withoutPassword(account)
}

export type ImapTestResult = { ok: true; mailboxes: number } | { ok: false; error: string }

export interface ImapTestOptions {
  /** Each network step (connect, greeting, every command) must answer within this; default 10 s. */
  timeoutMs?: number
  logger?: Logger
}

type ConnectionSettings = Pick<ImapAccount, 'host' | 'port' | 'secure' | 'username' | 'password' | 'mailbox'>

/**
 * Signs in to the account's server, lists its mailboxes and checks the configured one exists,
 * then signs out. Never throws; the error text never holds the password.
 */
export async function testImapConnection(account: ConnectionSettings, options: ImapTestOptions = {}): Promise<ImapTestResult> {
  const timeoutMs = options.timeoutMs ?? 10_000
  const log = options.logger
  const client = new ImapFlow({
    host: account.host,
    port: account.port,
    secure: account.secure,
    auth: { user: account.username, pass: account.password },
    logger: false,
    disableAutoIdle: true,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    clientInfo: { name: 'Suivi' },
  } satisfies ImapFlowOptions)
  client.on('error', () => {})
  let timer: NodeJS.Timeout | undefined
  // A last guard over the whole exchange, in case a step hangs between imapflow's own timers.
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`No answer from the server within ${Math.round((timeoutMs * 2) / 1000)} seconds`), { code: 'ETIMEOUT' })),
      timeoutMs * 2,
    )
  })
  try {
    const result = await Promise.race([
      (async (): Promise<ImapTestResult> => {
        await client.connect()
        const list = await client.list()
        const wanted = account.mailbox || 'INBOX'
        try {
          await client.status(wanted, { messages: true })
        } catch (err) {
          return { ok: false, error: `Signed in, but the mailbox “${wanted}” could not be opened: ${describeImapError(err, account)}` }
        }
        return { ok: true, mailboxes: list.length }
      })(),
      deadline,
    ])
    log?.info({ host: account.host, port: account.port, ok: result.ok }, 'imap connection tested')
    return result
  } catch (err) {
    const error = describeImapError(err, account)
    log?.info({ host: account.host, port: account.port, ok: false, error }, 'imap connection tested')
    return { ok: false, error }
  } finally {
    clearTimeout(timer)
    await Promise.race([client.logout().catch(() => {}), new Promise((r) => setTimeout(r, 1000))])
    client.close()
  }
}

/** A short, password-free explanation of an IMAP failure, in words an administrator can act on. */
export function describeImapError(err: unknown, account: Pick<ImapAccount, 'host' | 'port' | 'password'>): string {
  const e = (err && typeof err === 'object' ? err : {}) as { message?: unknown; responseText?: unknown; code?: unknown; authenticationFailed?: unknown }
  const message = typeof e.message === 'string' && e.message ? e.message : String(err)
  const serverSaid = typeof e.responseText === 'string' && e.responseText ? e.responseText : null
  const where = `${account.host}:${account.port}`
  let text: string
  if (e.authenticationFailed) text = `The server refused the login${serverSaid ? ` (${serverSaid})` : ''}: check the user name and password`
  else if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') text = `The server name ${account.host} could not be found`
  else if (e.code === 'ECONNREFUSED') text = `Nothing answers on ${where}: check the server name and port`
  else if (e.code === 'CONNECT_TIMEOUT' || e.code === 'GREETING_TIMEOUT' || e.code === 'ETIMEOUT' || e.code === 'ETIMEDOUT')
    text = `${where} did not answer in time (${message})`
  else if (typeof e.code === 'string' && /^(ERR_SSL|EPROTO|ECONNRESET|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO)/.test(e.code))
    text = `The secure connection to ${where} failed (${message}): check the port and the TLS setting`
  else if (serverSaid && !message.includes(serverSaid)) text = `${message}: ${serverSaid}`
  else if (typeof e.code === 'string' && !message.includes(e.code)) text = `${message} (${e.code})`
  else text = message
  if (account.password) text = text.split(account.password).join('***')
  return text.length > 500 ? `${text.slice(0, 497)}...` : text
}

/**
 * Tests a stored account and records the attempt (never the password) in the audit log. The
 * connection is made outside any transaction: a slow server must not hold one open.
 */
export async function testStoredImapAccount(
  ctx: DomainContext,
  admin: Actor,
  input: ImapAccountRef & ImapTestOptions,
): Promise<{ account: ImapAccountView; result: ImapTestResult }> {
  authorize(admin, 'administer', INSTANCE)
  const target = accountId(input)
  const account = await ctx.prisma.imapAccount.findUnique({ where: { id: target } })
  if (!account) throw new NotFoundError(NO_ACCOUNT)
  const result = await testImapConnection(account, { timeoutMs: input.timeoutMs, logger: input.logger })
  const outcome: EventData = result.ok ? { result: 'connected', mailboxes: result.mailboxes } : { result: 'failed', error: result.error }
  await transaction(ctx, (tx) =>
    recordAdminEvent(tx, {
      type: 'imap.tested',
      agentId: admin.id,
      at: ctx.clock(),
      target: { type: 'imap_account', id: String(target) },
      data: { username: account.username, host: account.host, ...outcome },
    }),
  )
  return { account: withoutPassword(account), result }
}

/** Every account (without its password) with the name of the folder it delivers to, for the admin list. */
export async function listImapAccounts(ctx: QueryContext, admin: Actor) {
  authorize(admin, 'administer', INSTANCE)
  return ctx.prisma.imapAccount.findMany({ orderBy: { id: 'asc' }, omit: { password: true }, include: { folder: { select: { name: true } } } })
}

/** One account's settings (without its password), for its edit form. */
export async function getImapAccount(ctx: QueryContext, admin: Actor, input: ImapAccountRef) {
  authorize(admin, 'administer', INSTANCE)
  const account = await ctx.prisma.imapAccount.findUnique({ where: { id: accountId(input) }, omit: { password: true } })
  if (!account) throw new NotFoundError()
  return account
}
