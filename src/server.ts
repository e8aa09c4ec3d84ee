import { createDomainContext, durableListeners } from './reactions/index.ts'
import { runConsumers } from './reactions/consumer.ts'
import { startLiveUpdates } from './reactions/liveUpdates.ts'
import type { Server } from 'node:http'
import { pathToFileURL } from 'node:url'
import type { Express } from 'express'
import { loadConfigFromEnvironment, publicUrlWarning, ConfigError, type Config } from './config.ts'
import { createLogger } from './logger.ts'
import type { DestinationStream } from 'pino'
import { openDatabase } from './db/database.ts'
import { createApp } from './app.ts'
import { VISITOR } from './domain/actor.ts'
import { systemClock, type Clock } from './domain/clock.ts'
import { createFirstAdmin, hasAnyAgent } from './domain/agents/firstAdmin.ts'
import { instanceSecret } from './domain/settings/instanceSecret.ts'
import { mailDomainOf } from './mail/outbound/outbox.ts'
import { bareAddress } from './mail/replyAddress.ts'
import type { MailContext } from './mail/mailContext.ts'
import type { AppContext } from './web/context.ts'
import { createLocalEventBus, createPostgresEventBus } from './realtime/events.ts'
import { expirePresence } from './realtime/presence.ts'
import { createIntakeQueue } from './mail/inbound/intakeQueue.ts'
import { startSmtpListener } from './mail/inbound/smtpListener.ts'
import { createSmtpTransport } from './mail/outbound/transport.ts'
import { startOutboxWorker } from './jobs/outboxWorker.ts'
import { startWebhookWorker } from './jobs/webhookWorker.ts'
import { startScheduler } from './jobs/scheduler.ts'
import { startImapPollers } from './mail/inbound/imapPoller.ts'

export interface RunningServer {
  ctx: AppContext
  /** The Express application (its router lists every route). */
  app: Express
  server: Server
  url: string
  /** The SMTP listener's port (null when it is off). */
  smtpPort: number | null
  stop(): Promise<void>
}

/** Starts the help desk: database (and migrations), domain context, first admin from the environment, HTTP. */
export async function startServer(
  config: Config,
  options: { inMemoryDatabase?: boolean; clock?: Clock; smtpListenPort?: number; logDestination?: DestinationStream } = {},
): Promise<RunningServer> {
  const clock = options.clock ?? systemClock
  const logger = createLogger(config.logLevel, options.logDestination)
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, inMemory: options.inMemoryDatabase, logger })
  try {
    const secret = await instanceSecret(db.prisma, config.sessionSecret)
    const mail: MailContext = { publicUrl: config.publicUrl, mailDomain: mailDomainOf(config.mailFrom), supportAddress: bareAddress(config.mailFrom), secret }
    // Several instances share events through PostgreSQL; the embedded database is one instance.
    const events = db.kind === 'postgresql' ? await createPostgresEventBus(config.databaseUrl!, logger) : createLocalEventBus()
    const domain = createDomainContext({ prisma: db.prisma, clock, mail, events })
    // Created like any command (after its context), before anything can serve a request.
    if (config.adminEmail && config.adminPassword && !(await hasAnyAgent(domain))) {
      const name = config.adminEmail.split('@')[0] ?? 'Admin'
      // A refused ADMIN_EMAIL or ADMIN_PASSWORD stops the start: release the event bus's connection too.
      await createFirstAdmin(domain, VISITOR, { name, email: config.adminEmail, password: config.adminPassword }).catch(async (err) => {
        await events.close().catch(() => {})
        throw err
      })
      logger.info({ email: config.adminEmail }, 'created the first administrator from ADMIN_EMAIL')
    }
    const intake = createIntakeQueue(domain, logger)
    const stopping = new AbortController()
    const ctx: AppContext = { db, config, logger, clock, secret, mail, events, domain, intake, shutdown: stopping.signal }
    const app = createApp(ctx)
    const smtp = config.smtpListenPort
      ? await startSmtpListener({
          ctx: domain,
          intake,
          logger,
          host: config.smtpListenHost,
          port: options.smtpListenPort ?? config.smtpListenPort,
          maxBytes: config.inboundMaxBytes,
          acceptedAddresses: [mail.supportAddress, ...config.inboundAddresses],
          reverseDns: config.smtpReverseDns,
        })
      : null
    await intake.recover()
    const live = await startLiveUpdates(db.prisma, events, logger)
    const listeners = runConsumers(db.prisma, durableListeners(domain), logger)
    const stopListening = events.onWake(() => listeners.wake())
    const presenceExpiry = setInterval(
      () => void expirePresence(db.prisma, events).catch((err) => logger.warn({ err }, 'presence expiry failed')),
      5_000,
    ).unref()
    const recovery = setInterval(() => void intake.recover().catch((err) => logger.warn({ err }, 'inbound recovery failed')), 60_000).unref()
    const server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(config.port, config.host, (err?: Error) => (err ? reject(err) : resolve(s)))
    })
    const address = server.address()
    const port = typeof address === 'object' && address ? address.port : config.port
    const url = `http://localhost:${port}`
    if (!(await hasAnyAgent(domain))) logger.info(`no agent yet: open ${url}/setup to create the first administrator`)
    logger.info({ url, database: db.kind }, 'Suivi is listening')
    const noPublicUrl = publicUrlWarning(config)
    if (noPublicUrl) logger.warn(noPublicUrl)
    const transport = createSmtpTransport(config.smtpUrl, { tls: config.smtpTls, dkim: config.dkim })
    if (transport && !config.smtpTls.rejectUnauthorized)
      logger.warn('SMTP_TLS_REJECT_UNAUTHORIZED=false: outgoing mail is encrypted, but the mail server is not authenticated')
    const outbox = startOutboxWorker({ prisma: db.prisma, transport, clock, logger, from: config.mailFrom, domain })
    // A committed change may have enqueued mail: deliver it now rather than at the next poll.
    const stopKicking = events.subscribe(() => outbox.kick())
    const webhooks = startWebhookWorker({ domain, logger })
    const scheduler = config.schedulerEnabled ? startScheduler(domain, logger) : null
    const imapPollers = config.schedulerEnabled
      ? startImapPollers({ ctx: domain, logger, concurrency: db.kind === 'embedded' ? 1 : 5, poll: { maxMessageBytes: config.inboundMaxBytes } })
      : null
    return {
      ctx,
      app,
      server,
      url,
      smtpPort: smtp?.port ?? null,
      async stop() {
        // Stop taking work, finish what is in flight, then release the database.
        clearInterval(recovery)
        clearInterval(presenceExpiry)
        // Event streams never end by themselves: end them, and browsers reconnect to another instance.
        stopping.abort()
        await Promise.all([
          new Promise<void>((resolve) => {
            // Connections go idle as their last response (an ended stream) finishes: close them then.
            const idle = setInterval(() => server.closeIdleConnections(), 50)
            server.close(() => {
              clearInterval(idle)
              resolve()
            })
            // A request still running after a second (a slow client) is cut rather than waited for.
            setTimeout(() => server.closeAllConnections(), 1000).unref()
          }),
          smtp?.stop(),
        ])
        await scheduler?.stop()
        await imapPollers?.stop()
        await intake.drain()
        stopKicking()
        await outbox.stop()
        await webhooks.stop()
        transport?.close()
        stopListening()
        await Promise.all([live.stop(), listeners.stop()])
        await events.close()
        await db.close()
      },
    }
  } catch (err) {
    await db.close().catch(() => {})
    throw err
  }
}

async function main() {
  let config: Config
  try {
    config = loadConfigFromEnvironment()
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message)
      process.exit(1)
    }
    throw err
  }
  const running = await startServer(config)
  const { logger } = running.ctx
  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'shutting down')
    const force = setTimeout(() => process.exit(1), 10_000).unref()
    await running.stop().catch((err) => logger.error({ err }, 'error during shutdown'))
    clearTimeout(force)
    // The migration engine leaves a timer behind; exit explicitly once everything is closed.
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    console.error(err)
    process.exit(1)
  })
}
