import { randomBytes } from 'node:crypto'
import { createServer, connect, type Socket } from 'node:net'
import nodemailer, { type Transporter } from 'nodemailer'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawnTool, until, type Child } from '../helpers/childProcess.ts'
import { freePort, freshServerDatabase } from '../helpers/privatePostgres.ts'
import { mulberry32 } from '../../tools/seededRandom.ts'

/**
 * Reliability §1, inbound side, under SIGKILL: "a reply never overtakes the message it answers"
 * (docs/decisions.md, E-mail). A sender writes N new conversations over SMTP and, a moment after
 * each is accepted, a reply to it (In-Reply-To and References), while the app is killed with
 * SIGKILL two or three times at random moments and started again. The sender behaves as an MTA:
 * a message whose transaction failed (connection refused or cut, no 250) is sent again, byte for
 * byte. Once the app has worked through everything, every accepted e-mail is one message, every
 * reply sits in its parent's conversation (N conversations, no split) and nothing failed.
 *
 * The app runs as a real child process (`npx tsx src/server.ts`) in its own process group, so
 * SIGKILL reaches the node process behind npx and tsx, as in tests/faults/sigkill.test.ts. The
 * database is a fresh one on TEST_DATABASE_URL's server when set, else on a private cluster.
 *
 * A killed process's claims on stored e-mails hold for their 60-second lease, and the recovery
 * pass runs at start-up and every minute. Before each restart the test moves those claims a
 * minute into the past, the state the restarted app would meet a minute later (the process is
 * dead, nobody else holds them), so the run takes seconds, not minutes. The seed of the random
 * choices is printed; INTAKE_KILL_SEED replays them (the timings of a busy machine still vary).
 */

const N = 200
/** Parallel SMTP clients, within the listener's limit of 10 connections per address. */
const SENDERS = 8
const SUPPORT = 'help@acme.example'
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * The network between the customer's MTA and the app: a TCP relay on a fixed port, whose replies
 * take `latencyMs` to come back. cut() drops every connection at once with the replies still on
 * their way, as a kill does to a transaction whose 250 has not reached the sender: the message
 * is stored, the MTA does not know it and sends it again. The app may listen on another port
 * after each restart (retarget).
 */
async function startLink(latencyMs: number) {
  let target = 0
  const open = new Set<Socket>()
  const server = createServer((client) => {
    const upstream = connect(target, '127.0.0.1')
    open.add(client)
    open.add(upstream)
    const drop = () => {
      client.destroy()
      upstream.destroy()
      open.delete(client)
      open.delete(upstream)
    }
    client.on('data', (chunk) => upstream.write(chunk))
    client.on('end', () => upstream.end())
    client.on('error', drop)
    client.on('close', drop)
    // Timers of one duration fire in the order they were set: the replies keep their order.
    upstream.on('data', (chunk) => setTimeout(() => !client.destroyed && client.write(chunk), latencyMs))
    upstream.on('end', () => setTimeout(() => client.end(), latencyMs))
    upstream.on('error', () => setTimeout(drop, latencyMs))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  return {
    port: (server.address() as { port: number }).port,
    retarget(port: number) {
      target = port
    },
    cut() {
      for (const socket of open) socket.destroy()
      open.clear()
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** One e-mail as the customer's MTA holds it: fixed bytes, sent again unchanged after a failure. */
interface Outgoing {
  messageId: string
  from: string
  raw: string
}

function compose(run: string, i: number, reply: boolean, date: Date): Outgoing {
  const from = `customer-${i}@customer.example`
  const parentId = `<${run}-${i}@customer.example>`
  const messageId = reply ? `<${run}-${i}-re@customer.example>` : parentId
  const subject = `Kill test ${run} #${i}`
  const headers = [
    `From: Customer ${i} <${from}>`,
    `To: ${SUPPORT}`,
    `Subject: ${reply ? `Re: ${subject}` : subject}`,
    `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: ${messageId}`,
    ...(reply ? [`In-Reply-To: ${parentId}`, `References: ${parentId}`] : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
  ]
  const body = reply ? `One more detail about request ${i}.\r\n\r\n> Question ${i}` : `Question ${i}: the parcel has not arrived.`
  return { messageId, from, raw: `${headers.join('\r\n')}\r\n\r\n${body}\r\n` }
}

describe('SIGKILL while e-mails and their replies arrive over SMTP', () => {
  let databaseUrl: string
  let cleanupDatabase: () => Promise<void> = async () => {}
  let db: pg.Client | undefined
  const children: Child[] = []
  const links: Awaited<ReturnType<typeof startLink>>[] = []

  beforeAll(async () => {
    const fresh = await freshServerDatabase(`suivi_intake_kill_${process.pid}_${randomBytes(3).toString('hex')}`)
    databaseUrl = fresh.url
    cleanupDatabase = fresh.cleanup
  })
  afterAll(async () => {
    for (const c of children) c.signal('SIGKILL')
    await Promise.all(children.map((c) => Promise.race([c.exited, sleep(5_000)])))
    for (const l of links) l.cut()
    await Promise.all(links.map((l) => l.stop()))
    await db?.end().catch(() => {})
    await cleanupDatabase()
  })

  it('threads split after a kill: 0; every accepted e-mail is stored once; none failed', async () => {
    const seed = Number(process.env.INTAKE_KILL_SEED ?? Math.floor(Math.random() * 2 ** 31))
    const random = mulberry32(seed)
    const run = `k${seed.toString(36)}${randomBytes(2).toString('hex')}`
    // The MTA knows one address, the link's; the app behind it takes free ports at each start.
    const link = await startLink(10)
    links.push(link)
    let httpPort = 0
    async function startApp(): Promise<Child> {
      for (let attempt = 1; ; attempt++) {
        httpPort = await freePort()
        let smtpPort = await freePort()
        while (smtpPort === httpPort) smtpPort = await freePort()
        link.retarget(smtpPort)
        const child = spawnTool(['src/server.ts'], {
          NODE_ENV: 'test',
          DATABASE_URL: databaseUrl,
          PORT: String(httpPort),
          HOST: '127.0.0.1',
          SMTP_LISTEN_PORT: String(smtpPort),
          SMTP_LISTEN_HOST: '127.0.0.1',
          // No relay: acknowledgements stay in the outbox and add no delivery work.
          SMTP_URL: '',
          SCHEDULER_ENABLED: 'false',
          MAIL_FROM: `Acme Support <${SUPPORT}>`,
          LOG_LEVEL: 'warn',
        })
        children.push(child)
        let exited = false
        void child.exited.then(() => (exited = true))
        await until(
          'the app to answer /healthz',
          async () => exited || (await fetch(`http://127.0.0.1:${httpPort}/healthz`)).status === 200,
          90_000,
          child.output,
        )
        if (!exited) return child
        // A free port can be taken by another program before the app binds it: take others.
        if (attempt < 3 && /EADDRINUSE/.test(child.output())) continue
        throw new Error(`the app exited:\n${child.output()}`)
      }
    }

    let app = await startApp()
    db = new pg.Client({ connectionString: databaseUrl })
    await db.connect()
    const count = async (where: string) => (await db!.query<{ n: number }>(`SELECT count(*)::int AS n FROM inbound_messages WHERE ${where}`)).rows[0]!.n

    // The sender: SENDERS clients take conversations in turn; each sends the customer's e-mail
    // until it is accepted, waits a moment and sends the reply the same way.
    const acked = new Set<string>()
    const parents: Outgoing[] = []
    const replies: Outgoing[] = []
    let failedAttempts = 0
    const failures = new Map<string, number>()
    const senderState = () =>
      `${acked.size} accepted, ${failedAttempts} failed attempts: ${[...failures].map(([m, n]) => `${n}× ${m}`).join('; ')}\n${app.output().slice(-3000)}`
    let senderError: Error | null = null
    const start = Date.now()
    const base = new Date(Math.floor(start / 1000) * 1000)
    for (let i = 0; i < N; i++) {
      parents.push(compose(run, i, false, new Date(base.getTime() + i * 1000)))
      replies.push(compose(run, i, true, new Date(base.getTime() + i * 1000 + 500)))
    }
    const pauses = Array.from({ length: N }, () => ({ beforeReply: Math.floor(random() * 50), after: Math.floor(random() * 40) }))

    async function deliver(transport: Transporter, mail: Outgoing) {
      for (;;) {
        if (senderError) throw senderError
        try {
          await transport.sendMail({ envelope: { from: mail.from, to: [SUPPORT] }, raw: mail.raw })
          acked.add(mail.messageId)
          return
        } catch (err) {
          const code = (err as { responseCode?: number }).responseCode
          // A refusal for good would be a bug of its own: the MTA would bounce the e-mail.
          if (code !== undefined && code >= 500) throw new Error(`${mail.messageId} refused: ${(err as Error).message}`)
          failedAttempts++
          const why = (err as Error).message.replace(/\d+\.\d+\.\d+\.\d+:\d+/g, '…')
          failures.set(why, (failures.get(why) ?? 0) + 1)
          await sleep(100 + Math.floor(Math.random() * 200))
        }
      }
    }
    let nextConversation = 0
    const sending = Promise.all(
      Array.from({ length: SENDERS }, async () => {
        // A connection per e-mail, as an MTA's queue runner opens them; short timeouts notice a dead app.
        const transport = nodemailer.createTransport({
          host: '127.0.0.1',
          port: link.port,
          secure: false,
          ignoreTLS: true,
          connectionTimeout: 3_000,
          greetingTimeout: 3_000,
          socketTimeout: 15_000,
        })
        try {
          for (let i = nextConversation++; i < N; i = nextConversation++) {
            await deliver(transport, parents[i]!)
            await sleep(pauses[i]!.beforeReply)
            await deliver(transport, replies[i]!)
            await sleep(pauses[i]!.after)
          }
        } finally {
          transport.close()
        }
      }),
    ).catch((err: Error) => {
      senderError ??= err
      throw err
    })
    let sent = false
    void sending.then(
      () => (sent = true),
      () => {},
    )

    // Kills at random points of the sending, one in each stretch between 10 % and 90 % of the
    // e-mails, plus a random delay so that some land inside an SMTP transaction. Then, for up to
    // 3 s, the kill waits for the case the rule is about: a reply stored while the e-mail it
    // answers is still waiting, so that most kills leave such pairs to the restarted app.
    const kills = 2 + Math.floor(random() * 2)
    const killAt = Array.from({ length: kills }, (_, k) => Math.floor(2 * N * (0.1 + (0.8 * (k + random())) / kills)))
    const killDelays = Array.from({ length: kills }, () => Math.floor(random() * 400))
    const killedAt: number[] = []
    const replyWithParentWaiting = `status = 'received' AND "messageIdHeader" LIKE '%-re@%' AND EXISTS (
      SELECT 1 FROM inbound_messages p WHERE p.status = 'received' AND p."messageIdHeader" = replace(inbound_messages."messageIdHeader", '-re@', '@'))`
    for (let k = 0; k < kills; k++) {
      await until(`${killAt[k]} e-mails accepted`, async () => acked.size >= killAt[k]! || senderError !== null || sent, 60_000, senderState)
      if (senderError) break
      await sleep(killDelays[k]!)
      for (const deadline = Date.now() + 3_000; Date.now() < deadline && !(await count(replyWithParentWaiting));) await sleep(10)
      killedAt.push(Date.now())
      app.signal('SIGKILL')
      link.cut()
      const exit = await app.exited
      expect(exit.signal).toBe('SIGKILL')
      const { rows } = await db.query<{ waiting: number; claimed: number; processed: number; pairs: number }>(
        `SELECT count(*) FILTER (WHERE status = 'received')::int AS waiting, count(*) FILTER (WHERE status = 'received' AND "claimedAt" IS NOT NULL)::int AS claimed,
                count(*) FILTER (WHERE status = 'processed')::int AS processed, count(*) FILTER (WHERE ${replyWithParentWaiting})::int AS pairs
         FROM inbound_messages`,
      )
      console.log(
        `[intake-kill] kill ${k + 1} at ${Date.now() - start} ms, ${acked.size} accepted: ${rows[0]!.processed} processed, ${rows[0]!.waiting} waiting (${rows[0]!.claimed} in the dead process's hands, ${rows[0]!.pairs} replies waiting with their parent)`,
      )
      // The dead process's leases, run out: what the restarted app would meet a minute later.
      await db.query(`UPDATE inbound_messages SET "claimedAt" = "claimedAt" - interval '61 seconds' WHERE status = 'received' AND "claimedAt" IS NOT NULL`)
      app = await startApp()
    }
    await sending
    const allSent = Date.now() - start

    await until(
      'every stored e-mail to be processed',
      async () => (await count(`status = 'received'`)) === 0,
      90_000,
      () => app.output(),
    )
    const elapsed = Date.now() - start

    // Every accepted e-mail, once: one message per Message-ID, and no other message (a copy kept
    // as another e-mail is stored without the id).
    const everyId = [...parents, ...replies].map((m) => m.messageId)
    const ours = new Set(everyId)
    // For a message kept without its id, the row of the message that holds the id tells the two
    // ways it can happen apart: the same row (taken again after a kill that followed its commit)
    // or another copy of the e-mail.
    const { rows: messages } = await db.query<{
      id: number
      emailMessageId: string | null
      conversationId: number
      inboundId: number | null
      header: string | null
      note: string | null
      holderInboundId: number | null
    }>(
      `SELECT m.id, m."emailMessageId", m."conversationId", m."inboundId", i."messageIdHeader" AS header, i.note,
              (SELECT h."inboundId" FROM messages h WHERE h."emailMessageId" = i."messageIdHeader") AS "holderInboundId"
       FROM messages m LEFT JOIN inbound_messages i ON i.id = m."inboundId" WHERE m.kind = 'customer' ORDER BY m.id`,
    )
    const stored = new Map<string, number[]>()
    for (const m of messages) if (m.emailMessageId) stored.set(m.emailMessageId, [...(stored.get(m.emailMessageId) ?? []), m.conversationId])
    const notOnce = everyId.filter((id) => stored.get(id)?.length !== 1)
    const extra = messages.filter((m) => !m.emailMessageId || !ours.has(m.emailMessageId))

    // Every reply in its parent's conversation, hence exactly N conversations with these subjects.
    const split = replies.filter((r, i) => stored.get(r.messageId)?.[0] !== stored.get(parents[i]!.messageId)?.[0]).map((r) => r.messageId)
    const { rows: conversations } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM conversations WHERE subject LIKE $1`, [`Kill test ${run} #%`])

    // How often the rule was put to the test: a reply that arrived before its parent was
    // processed, and among them those with a kill in between (from the rows' own timestamps).
    const { rows: timings } = await db.query<{ id: string; processedAt: Date; firstReceivedAt: Date }>(
      `SELECT m."emailMessageId" AS id, i."processedAt", (SELECT min(x."receivedAt") FROM inbound_messages x WHERE x."messageIdHeader" = m."emailMessageId") AS "firstReceivedAt"
       FROM messages m JOIN inbound_messages i ON i.id = m."inboundId" WHERE m.kind = 'customer' AND m."emailMessageId" IS NOT NULL`,
    )
    const timing = new Map(timings.map((t) => [t.id, t]))
    const early = replies
      .map((r, i) => ({
        arrived: timing.get(r.messageId)?.firstReceivedAt.getTime() ?? 0,
        parentDone: timing.get(parents[i]!.messageId)?.processedAt.getTime() ?? 0,
      }))
      .filter((t) => t.arrived < t.parentDone)
    const acrossKill = early.filter((t) => killedAt.some((k) => t.arrived < k && k < t.parentDone)).length

    const rows = await count('true')
    const { rows: failed } = await db.query<{ id: number; error: string }>(`SELECT id, error FROM inbound_messages WHERE status = 'failed' ORDER BY id`)
    const { rows: notes } = await db.query<{ note: string | null; n: number }>(
      `SELECT note, count(*)::int AS n FROM inbound_messages WHERE note IS NOT NULL GROUP BY note`,
    )
    console.log(
      `[intake-kill] seed ${seed}: N = ${N} conversations (${2 * N} e-mails), kills: ${killedAt.length}, failed SMTP attempts retried: ${failedAttempts}, ` +
        `stored rows: ${rows} (${rows - 2 * N} redelivered), replies that arrived before their parent was processed: ${early.length} (${acrossKill} across a kill), ` +
        `replies split: ${split.length}, conversations: ${conversations[0]!.n}, messages: ${messages.length}, failed rows: ${failed.length}, ` +
        `all accepted after ${allSent} ms, all processed after ${elapsed} ms` +
        (notes.length ? `; notes: ${notes.map((n) => `${n.n}× ${n.note}`).join('; ')}` : ''),
    )
    expect([...acked].sort()).toEqual([...everyId].sort())
    expect(notOnce, 'accepted e-mails not stored exactly once').toEqual([])
    expect(extra, 'messages that are no accepted e-mail, or a copy kept as another e-mail').toEqual([])
    expect(split, 'replies in another conversation than their parent').toEqual([])
    expect(conversations[0]!.n).toBe(N)
    expect(failed).toEqual([])
  }, 240_000)
})
