import { ImapFlow, type ImapFlowOptions } from 'imapflow'
import type { Logger } from 'pino'
import type { DomainContext } from '../../domain/context.ts'
import type { ImapAccount } from '../../generated/prisma/client.ts'
import { receiveRawMessage } from './intake.ts'

export interface PollOptions {
  /** At most this many messages are taken per poll; the rest wait for the next one. */
  batchSize?: number
  /**
   * Messages larger than this are still stored (the raw message is kept, nothing is lost) and
   * acknowledged, but not parsed: their row is marked failed with the reason, for an admin to see.
   */
  maxMessageBytes?: number
  /** Network timeouts for one poll. */
  connectTimeoutMs?: number
  socketTimeoutMs?: number
}

export interface PollResult {
  /** Messages downloaded from the mailbox. */
  fetched: number
  /** Messages committed as inbound rows (and then acknowledged in the mailbox). */
  stored: number
}

const DEFAULT_BATCH = 100
const DEFAULT_MAX_BYTES = 25 * 1024 * 1024

/**
 * Polls one IMAP mailbox (SPEC §5): every UNSEEN message is stored as a raw inbound row, and only
 * once that row has committed is the message acknowledged in the mailbox (\Seen, or moved to
 * moveToMailbox), then the intake parses and threads it. A crash between commit and acknowledgement
 * makes the next poll fetch the message again; the intake keeps the same Message-ID once.
 *
 * Records lastPolledAt and lastError on the account row. Rejects when the account itself failed
 * (connection, login, mailbox), after recording the error; a bad message never makes it reject.
 */
export async function pollImapAccount(ctx: DomainContext, account: ImapAccount, logger: Logger, options: PollOptions = {}): Promise<PollResult> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH
  const maxBytes = options.maxMessageBytes ?? DEFAULT_MAX_BYTES
  const log = logger.child({ imapAccountId: account.id })
  const result: PollResult = { fetched: 0, stored: 0 }
  // Problems worth showing on the account that do not stop the poll (e.g. a failed move).
  const warnings: string[] = []

  const client = new ImapFlow({
    host: account.host,
    port: account.port,
    secure: account.secure,
    auth: { user: account.username, pass: account.password },
    logger: imapLogger(log),
    disableAutoIdle: true,
    connectionTimeout: options.connectTimeoutMs ?? 30_000,
    greetingTimeout: options.connectTimeoutMs ?? 16_000,
    socketTimeout: options.socketTimeoutMs ?? 120_000,
    clientInfo: { name: 'Suivi' },
  } satisfies ImapFlowOptions)
  // An 'error' event without a listener would take the whole process down.
  client.on('error', (err: Error) => log.debug({ err: describeError(err, account.password) }, 'imap connection error'))

  log.debug({ host: account.host, port: account.port, mailbox: account.mailbox }, 'imap poll started')
  try {
    const recipients = await envelopeTo(ctx, account)
    await client.connect()
    const lock = await client.getMailboxLock(account.mailbox)
    try {
      const found = await client.search({ seen: false }, { uid: true })
      if (found === false) throw new Error(`the server refused to search ${account.mailbox}`)
      const uids = [...(found ?? [])].sort((a, b) => a - b).slice(0, batchSize)
      if (uids.length) log.debug({ count: uids.length }, 'unseen messages to fetch')

      for (const uid of uids) {
        // One message in memory at a time: fetched, stored, acknowledged, processed, released.
        const message = await client.fetchOne(String(uid), { uid: true, source: true }, { uid: true })
        if (!message || !message.source) continue // expunged meanwhile
        result.fetched++
        const raw = message.source
        await receiveRawMessage(
          ctx,
          { source: 'imap', raw, envelopeFrom: null, envelopeTo: recipients },
          {
            maxBytes,
            logger: log,
            // Acknowledged in the mailbox only once the row has committed.
            acknowledge: async (id) => {
              result.stored++
              const ackWarning = await acknowledge(client, account, uid)
              if (ackWarning) {
                warnings.push(ackWarning)
                log.warn({ uid, inboundId: id, problem: ackWarning }, 'imap message stored but its acknowledgement did not go as configured')
              }
            },
          },
        )
      }
    } finally {
      lock.release()
    }
    await recordPoll(ctx, account.id, warnings.length ? shorten(warnings.join('; ')) : null)
    log[result.fetched ? 'info' : 'debug']({ ...result }, 'imap mailbox polled')
    return result
  } catch (err) {
    const message = describeError(err, account.password)
    log.warn({ error: message, ...result }, 'imap poll failed')
    await recordPoll(ctx, account.id, shorten(message)).catch((e) => log.error({ err: e }, 'could not record the imap poll error'))
    throw new ImapPollError(message)
  } finally {
    await client.logout().catch(() => {})
    client.close()
  }
}

export class ImapPollError extends Error {
  override name = 'ImapPollError'
}

export interface ImapPollersOptions {
  ctx: DomainContext
  logger: Logger
  /** Pause between two rounds over the enabled accounts. */
  intervalMs?: number
  /**
   * How many accounts are polled at the same time (default 5). The embedded PGlite database runs
   * one statement at a time anyway (and mixes up concurrent connections, see the report): use 1 there.
   */
  concurrency?: number
  poll?: PollOptions
}

export interface ImapPollers {
  /** Stops scheduling and waits for the polls in flight. */
  stop(): Promise<void>
  /** Polls every enabled account now and resolves when done; never rejects. */
  pollNow(): Promise<void>
}

/**
 * Polls every enabled IMAP account on an interval (the first round right away), accounts
 * concurrently (up to `concurrency` at once) and independently: a broken one never holds the
 * others back. Never two polls of one account at once: a poll asked for while one is running for
 * that account runs right after it, once. Timers are unref'd.
 */
export function startImapPollers(options: ImapPollersOptions): ImapPollers {
  const { ctx, logger } = options
  const intervalMs = options.intervalMs ?? 60_000
  const log = logger.child({ component: 'imap-poller' })
  const inFlight = new Map<number, Promise<void>>()
  const queued = new Map<number, Promise<void>>()
  const rounds = new Set<Promise<void>>()
  let stopped = false
  let timer: NodeJS.Timeout | null = null
  const limit = Math.max(1, options.concurrency ?? 5)
  let active = 0
  const slotWaiters: (() => void)[] = []

  async function pollOnce(id: number): Promise<void> {
    while (active >= limit) await new Promise<void>((resolve) => slotWaiters.push(resolve))
    active++
    try {
      await pollOnceInSlot(id)
    } finally {
      active--
      slotWaiters.shift()?.()
    }
  }

  async function pollOnceInSlot(id: number): Promise<void> {
    if (stopped) return
    try {
      // Read fresh: the account may have been edited or disabled since the round started.
      const account = await ctx.prisma.imapAccount.findUnique({ where: { id } })
      if (!account || !account.enabled) return
      await pollImapAccount(ctx, account, log, options.poll)
    } catch (err) {
      // Already recorded on the account (lastError) and logged; one account never stops the rest.
      if (!(err instanceof ImapPollError)) log.warn({ err, imapAccountId: id }, 'imap poll failed')
    }
  }

  function pollAccount(id: number): Promise<void> {
    const waiting = queued.get(id)
    if (waiting) return waiting
    const running = inFlight.get(id)
    if (running) {
      const next = running.then(() => {
        queued.delete(id)
        return pollAccount(id)
      })
      queued.set(id, next)
      return next
    }
    const p = pollOnce(id).finally(() => inFlight.delete(id))
    inFlight.set(id, p)
    return p
  }

  function round(): Promise<void> {
    const p = (async () => {
      if (stopped) return
      let ids: number[]
      try {
        ids = (await ctx.prisma.imapAccount.findMany({ where: { enabled: true }, select: { id: true }, orderBy: { id: 'asc' } })).map((a) => a.id)
      } catch (err) {
        log.warn({ err }, 'could not load the imap accounts; will try again')
        return
      }
      await Promise.allSettled(ids.map(pollAccount))
    })()
    rounds.add(p)
    return p.finally(() => rounds.delete(p))
  }

  function schedule(delay: number) {
    if (stopped) return
    timer = setTimeout(() => {
      timer = null
      void round().finally(() => schedule(intervalMs))
    }, delay)
    timer.unref()
  }
  schedule(0)

  return {
    pollNow: () => round(),
    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      timer = null
      while (rounds.size || inFlight.size || queued.size) {
        await Promise.allSettled([...rounds, ...inFlight.values(), ...queued.values()])
      }
    },
  }
}

/** \Seen, or a move to moveToMailbox; a failed move falls back to \Seen so the message is not fetched forever. */
async function acknowledge(client: ImapFlow, account: ImapAccount, uid: number): Promise<string | null> {
  const range = String(uid)
  if (account.moveToMailbox) {
    let problem: string
    try {
      const moved = await client.messageMove(range, account.moveToMailbox, { uid: true })
      if (moved) return null
      problem = `could not move messages to ${account.moveToMailbox}`
    } catch (err) {
      problem = `could not move messages to ${account.moveToMailbox}: ${describeError(err, account.password)}`
    }
    if (!(await client.messageFlagsAdd(range, ['\\Seen'], { uid: true }))) return `${problem}; marking it seen failed too`
    return `${problem}; marked seen instead`
  }
  if (!(await client.messageFlagsAdd(range, ['\\Seen'], { uid: true }))) throw new Error('the server refused to mark a message seen')
  return null
}

/**
 * The address this mailbox receives for, given to the intake as the envelope recipient so that
 * routing picks the folder: the account's folder's address, else the login when it is an address.
 */
async function envelopeTo(ctx: DomainContext, account: ImapAccount): Promise<string[]> {
  if (account.folderId !== null) {
    const folder = await ctx.prisma.folder.findUnique({ where: { id: account.folderId }, select: { inboundAddress: true } })
    if (folder?.inboundAddress) return [folder.inboundAddress]
  }
  return account.username.includes('@') ? [account.username.toLowerCase()] : []
}

async function recordPoll(ctx: DomainContext, id: number, lastError: string | null) {
  await ctx.prisma.imapAccount.update({ where: { id }, data: { lastPolledAt: ctx.clock(), lastError } })
}

/** imapflow's own log, at pino's debug level only (it already masks credentials it sends). */
function imapLogger(log: Logger) {
  const forward = (entry: unknown) => {
    if (!log.isLevelEnabled('debug')) return
    const { msg, ...rest } = (entry && typeof entry === 'object' ? entry : { msg: String(entry) }) as { msg?: unknown } & Record<string, unknown>
    log.debug({ imap: rest }, typeof msg === 'string' ? msg : 'imap')
  }
  return { trace: () => {}, debug: forward, info: forward, warn: forward, error: forward, fatal: forward }
}

/** A short, password-free description of what went wrong, for lastError and the log. */
function describeError(err: unknown, password: string): string {
  const e = err as { message?: unknown; responseText?: unknown; code?: unknown; authenticationFailed?: unknown } | null
  let text: string
  if (e && typeof e === 'object') {
    const message = typeof e.message === 'string' ? e.message : 'Error'
    const serverSaid = typeof e.responseText === 'string' && e.responseText ? e.responseText : null
    if (e.authenticationFailed) text = `Login refused by the server${serverSaid ? ` (${serverSaid})` : ''}: check the username and password`
    else if (serverSaid && !message.includes(serverSaid)) text = `${message}: ${serverSaid}`
    else if (typeof e.code === 'string' && !message.includes(e.code)) text = `${message} (${e.code})`
    else text = message
  } else {
    text = String(err)
  }
  if (password) text = text.split(password).join('***')
  return text
}

const shorten = (s: string) => (s.length > 500 ? `${s.slice(0, 497)}...` : s)
