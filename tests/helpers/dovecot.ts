import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createConnection, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { ImapFlow } from 'imapflow'

export interface DovecotUser {
  user: string
  password: string
}

export interface Dovecot {
  host: '127.0.0.1'
  port: number
  /** Stops the server (kill of master.pid) and removes its temporary folder. */
  stop(): Promise<void>
  /** Puts a message in a user's mailbox with IMAP APPEND; resolves with its UID when the server reports one. */
  append(user: string, password: string, mailbox: string, raw: Buffer | string, flags?: string[]): Promise<number | undefined>
  /** A connected imapflow client for a user, to inspect mailboxes (the caller logs out). */
  connect(user: string, password: string): Promise<ImapFlow>
}

const INSTALL_HINT = "Dovecot is not installed: the IMAP tests need Debian's dovecot-imapd (apt-get install -y dovecot-imapd)."

function findDovecot(): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin']
  for (const dir of dirs) {
    if (!dir) continue
    const candidate = join(dir, 'dovecot')
    if (existsSync(candidate)) return candidate
  }
  return null
}

function run(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0
      resolve({ code, stdout: String(stdout), stderr: String(stderr) })
    })
  })
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    socket.setTimeout(1000)
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('timeout', () => {
      socket.destroy()
      resolve(false)
    })
    socket.once('error', () => resolve(false))
  })
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/**
 * A private Dovecot IMAP server on loopback (TESTING.md recipe): its own config, passwd-file
 * users, maildir mail owned by nobody, a free high port, no TLS. Must run as root.
 */
export async function startDovecot(options: { users: DovecotUser[] }): Promise<Dovecot> {
  const binary = findDovecot()
  if (!binary) throw new Error(INSTALL_HINT)
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error('The Dovecot test server must be started as root (Dovecot switches to the mail user nobody).')
  }
  for (const u of options.users) {
    if (/[:\n\r]/.test(u.user) || /[\n\r]/.test(u.password)) throw new Error(`unusable test user ${JSON.stringify(u.user)}`)
  }

  const dir = await mkdtemp(join(tmpdir(), 'suivi-dovecot-'))
  // The login and auth processes (dovenull, dovecot) and the mail user (nobody) walk into it.
  await chmod(dir, 0o755)
  const baseDir = join(dir, 'run')
  const stateDir = join(dir, 'state')
  const mailDir = join(dir, 'mail')
  const usersFile = join(dir, 'users')
  const logFile = join(dir, 'dovecot.log')
  const configFile = join(dir, 'dovecot.conf')
  await mkdir(baseDir, { mode: 0o755 })
  await mkdir(stateDir, { mode: 0o755 })
  await mkdir(mailDir, { mode: 0o755 })
  await chown(mailDir, 65534, 65534)
  await writeFile(usersFile, options.users.map((u) => `${u.user}:{PLAIN}${u.password}\n`).join(''), { mode: 0o644 })

  const port = await freePort()
  await writeFile(
    configFile,
    [
      'protocols = imap',
      'listen = 127.0.0.1',
      `base_dir = ${baseDir}`,
      `state_dir = ${stateDir}`,
      `log_path = ${logFile}`,
      'ssl = no',
      'disable_plaintext_auth = no',
      'auth_mechanisms = plain login',
      // Tests try wrong passwords on purpose: no 2 s failure delay, no growing penalty per client IP.
      'auth_failure_delay = 0',
      'service anvil {',
      '  unix_listener anvil-auth-penalty {',
      '    mode = 0',
      '  }',
      '}',
      'mail_location = maildir:~/Maildir',
      'passdb {',
      '  driver = passwd-file',
      `  args = ${usersFile}`,
      '}',
      'userdb {',
      '  driver = static',
      `  args = uid=nobody gid=nogroup home=${mailDir}/%u`,
      '}',
      'service imap-login {',
      '  inet_listener imap {',
      `    port = ${port}`,
      '  }',
      '  inet_listener imaps {',
      '    port = 0',
      '  }',
      '}',
      '',
    ].join('\n'),
  )

  const logTail = async () => (await readFile(logFile, 'utf8').catch(() => '')).split('\n').slice(-20).join('\n')
  const started = await run(binary, ['-c', configFile])
  if (started.code !== 0) {
    const log = await logTail()
    await rm(dir, { recursive: true, force: true })
    throw new Error(`dovecot did not start (exit ${started.code}): ${started.stderr.trim()}\n${log}`)
  }

  async function stop() {
    const pid = Number((await readFile(join(baseDir, 'master.pid'), 'utf8').catch(() => '')).trim())
    if (pid > 0 && isAlive(pid)) {
      try {
        process.kill(pid, 'SIGTERM')
      } catch {}
      for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(50)
      if (isAlive(pid)) {
        try {
          process.kill(pid, 'SIGKILL')
        } catch {}
      }
    }
    await rm(dir, { recursive: true, force: true })
  }

  const deadline = Date.now() + 15_000
  while (!(await canConnect(port))) {
    if (Date.now() > deadline) {
      const log = await logTail()
      await stop()
      throw new Error(`dovecot did not accept connections on port ${port}\n${log}`)
    }
    await sleep(50)
  }

  async function connect(user: string, password: string): Promise<ImapFlow> {
    const client = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass: password }, logger: false, disableAutoIdle: true })
    client.on('error', () => {})
    await client.connect()
    return client
  }

  return {
    host: '127.0.0.1',
    port,
    stop,
    connect,
    async append(user, password, mailbox, raw, flags) {
      const client = await connect(user, password)
      try {
        const result = await client.append(mailbox, typeof raw === 'string' ? Buffer.from(raw) : raw, flags ?? [])
        if (!result) throw new Error(`APPEND to ${mailbox} was refused`)
        return result.uid
      } finally {
        await client.logout().catch(() => client.close())
      }
    },
  }
}
