import { SYSTEM } from '../domain/actor.ts'
import type { Logger } from 'pino'
import { repeatingPasses } from './passes.ts'
import type { Prisma } from '../db/database.ts'
import type { Clock } from '../domain/clock.ts'
import type { DomainContext } from '../domain/context.ts'
import { recordBounce } from '../domain/conversations/commands/recordBounce.ts'
import { deliverDueEmails, type MailSender, type RefusedAddress } from '../mail/outbound/delivery.ts'
import { renderPendingEmails } from '../mail/outbound/renderOutbox.ts'

export interface OutboxWorkerOptions {
  prisma: Prisma
  /** null when no SMTP server is configured: the worker then does nothing and mail waits in the outbox. */
  transport: MailSender | null
  clock: Clock
  logger: Logger
  /** The From header for rows without their own (config MAIL_FROM). */
  from: string
  /** Records a relay's refusal of a customer's address in the conversation, as a bounce is. */
  domain?: DomainContext
  /** How often the outbox is polled; kick() makes a pass sooner. */
  intervalMs?: number
  batchSize?: number
}

/** A relay's refusal of a customer's address, recorded in the conversation as a hard bounce. */
export const recordRefusalAsBounce =
  (domain: DomainContext) =>
  (r: RefusedAddress): Promise<void> =>
    recordBounce(domain, SYSTEM, {
      conversationId: r.conversationId,
      recipient: r.recipient,
      status: r.status,
      hard: true,
      summary: r.summary,
      inboundId: null,
      emailMessageId: null,
    }).then(() => {})

export interface OutboxWorker {
  /** Stops polling and waits for the pass in flight. */
  stop(): Promise<void>
  /** Asks for a pass soon, e.g. after a commit that enqueued mail. Kicks close together make one pass. */
  kick(): void
}

/** How long kick() waits, so a burst of commits is served by one pass. */
const KICK_DELAY_MS = 25

/**
 * Delivers the outbox in the background: one pass at a time, on an interval and on kick().
 * Several instances may run it at once: deliverDueEmails claims rows with SKIP LOCKED.
 */
export function startOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const { transport, logger } = options
  if (!transport) {
    logger.info('no SMTP server configured (SMTP_URL): outgoing e-mails stay in the outbox, readable under Settings › Outbox')
    // Commands render their e-mails after commit; what a crash left unrendered is rendered now,
    // so that admins can read it.
    void renderPendingEmails(options.prisma).catch((err: unknown) => logger.warn({ err }, 'rendering queued e-mails failed'))
    return { stop: async () => {}, kick: () => {} }
  }
  const sender: MailSender = transport
  const batchSize = options.batchSize ?? 20
  const intervalMs = options.intervalMs ?? 2000
  let kickTimer: NodeJS.Timeout | null = null

  const passes = repeatingPasses(
    async () => {
      const result = await deliverDueEmails({
        ...options,
        transport: sender,
        batchSize,
        onAddressRefused: options.domain && recordRefusalAsBounce(options.domain),
      })
      // A full batch means more may be due now: go on without waiting for the interval.
      return result.sent + result.failed + result.retried >= batchSize
    },
    { intervalMs, onError: (err) => logger.warn({ err }, 'outbox pass failed; will try again') },
  )

  return {
    kick() {
      if (passes.stopped || kickTimer) return
      kickTimer = setTimeout(() => {
        kickTimer = null
        passes.pass()
      }, KICK_DELAY_MS)
      kickTimer.unref()
    },
    async stop() {
      if (kickTimer) clearTimeout(kickTimer)
      kickTimer = null
      await passes.stop()
    },
  }
}
