import { REFERENCE_LOCALE } from './i18n/catalogues.ts'
import { decodeMessage, fieldOf, messageText } from './i18n/issueMessages.ts'
import { translator } from './i18n/translate.ts'
import { createPrivateKey, X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { parseEnv } from 'node:util'
import { z } from 'zod'
import { fromRoot } from './paths.ts'

// Empty strings in the environment mean "not set", as in most .env files.
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional())

const booleanish = z.enum(['1', '0', 'true', 'false', 'yes', 'no']).transform((v) => v === '1' || v === 'true' || v === 'yes')

const DNS_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i

export const configSchema = z.object({
  // Production unless told otherwise: `npm start` is how the help desk runs; `npm run dev` says development.
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  /** Absolute URL agents and customers reach the app at; used in e-mailed links. */
  PUBLIC_URL: optional(z.url()),
  DATABASE_URL: optional(z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL')),
  DATA_DIR: z.string().default('./data'),
  /** Signs session cookies and links. Generated and kept under DATA_DIR when unset. */
  SESSION_SECRET: optional(z.string().min(32, 'must be at least 32 characters')),
  TRUST_PROXY: optional(booleanish),
  ADMIN_EMAIL: optional(z.email()),
  ADMIN_PASSWORD: optional(z.string().min(10, 'must be at least 10 characters')),
  MAIL_FROM: z.string().default('Suivi <support@localhost>'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
  /** API calls per minute per token. */
  API_RATE_LIMIT: z.coerce.number().int().min(1).default(600),
  /** smtp://user:pass@host:587 or smtps://…; unset keeps mail in the outbox, readable by admins. */
  SMTP_URL: optional(z.string().regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')),
  /** PEM file of the certificate(s) that vouch for the relay's TLS certificate (its own, when self-signed). */
  SMTP_TLS_CA_FILE: optional(z.string()),
  /** false: encrypt with the relay without checking its certificate (a self-signed one on a trusted network). */
  SMTP_TLS_REJECT_UNAUTHORIZED: optional(booleanish),
  /** DKIM signing of outgoing mail: on when a selector and a key are set. */
  DKIM_SELECTOR: optional(z.string().regex(DNS_NAME, 'must be a DNS label such as "suivi" or "2027.mail"')),
  /** The signing domain (d=); default MAIL_FROM's domain, which DMARC alignment wants. */
  DKIM_DOMAIN: optional(z.string().regex(DNS_NAME, 'must be a domain name such as example.com')),
  /** The RSA private key in PEM (\n may stand for line breaks), or DKIM_PRIVATE_KEY_FILE naming a file. */
  DKIM_PRIVATE_KEY: optional(z.string()),
  DKIM_PRIVATE_KEY_FILE: optional(z.string()),
  /** Built-in SMTP listener for inbound mail; 0 turns it off. */
  SMTP_LISTEN_PORT: z.coerce.number().int().min(0).max(65535).default(2525),
  SMTP_LISTEN_HOST: z.string().default('127.0.0.1'),
  /** Addresses and domains the listener accepts mail for (comma-separated; "@example.com" for a whole domain). */
  INBOUND_ADDRESSES: z.string().default(''),
  /** Largest inbound message accepted, in bytes. */
  INBOUND_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(25 * 1024 * 1024),
  /** Shared secret for POST /inbound/raw (Authorization: Bearer …); unset turns the endpoint off. */
  INBOUND_SECRET: optional(z.string().min(16, 'must be at least 16 characters')),
  /** Resolve client names by reverse DNS in the SMTP listener (slow where DNS is unreachable). */
  SMTP_REVERSE_DNS: optional(booleanish),
  /** Run scheduled jobs (the lifecycle sweep) in this instance; every instance may, one runs each fire. */
  SCHEDULER_ENABLED: optional(booleanish),
})

export type Env = z.infer<typeof configSchema>

export interface Config {
  env: Env['NODE_ENV']
  port: number
  host: string
  publicUrl: string
  /** False when publicUrl is only the localhost default. */
  publicUrlSet: boolean
  databaseUrl: string | undefined
  dataDir: string
  sessionSecret: string | undefined
  trustProxy: boolean
  adminEmail: string | undefined
  adminPassword: string | undefined
  mailFrom: string
  logLevel: Env['LOG_LEVEL']
  loginRateLimit: number
  apiRateLimit: number
  sessionCookieName: string
  smtpUrl: string | undefined
  /** How the relay's TLS certificate is checked (STARTTLS or smtps://). */
  smtpTls: { caFile: string | undefined; ca: string | undefined; rejectUnauthorized: boolean }
  /** DKIM signing of outgoing mail, or null when it is off. */
  dkim: DkimSettings | null
  smtpListenPort: number
  smtpListenHost: string
  inboundAddresses: string[]
  inboundMaxBytes: number
  inboundSecret: string | undefined
  smtpReverseDns: boolean
  schedulerEnabled: boolean
}

export interface DkimSettings {
  domainName: string
  keySelector: string
  /** PEM. */
  privateKey: string
}

export class ConfigError extends Error {}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(source)
  if (!parsed.success) {
    // Issue messages are catalogue keys (src/i18n/issueMessages.ts): the operator reads English.
    const english = translator(REFERENCE_LOCALE)
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${messageText(english, decodeMessage(i.message, fieldOf(i.path)))}`)
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`)
  }
  const e = parsed.data
  const problems: string[] = []
  const smtpTlsCa = readCaFile(e.SMTP_TLS_CA_FILE, problems)
  const dkim = dkimSettings(e, problems)
  if (problems.length) throw new ConfigError(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`)
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    publicUrlSet: e.PUBLIC_URL !== undefined,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    sessionSecret: e.SESSION_SECRET,
    trustProxy: e.TRUST_PROXY ?? false,
    adminEmail: e.ADMIN_EMAIL?.toLowerCase(),
    adminPassword: e.ADMIN_PASSWORD,
    mailFrom: e.MAIL_FROM,
    logLevel: e.LOG_LEVEL,
    loginRateLimit: e.LOGIN_RATE_LIMIT,
    apiRateLimit: e.API_RATE_LIMIT,
    sessionCookieName: 'suivi.sid',
    smtpUrl: e.SMTP_URL,
    smtpTls: { caFile: e.SMTP_TLS_CA_FILE, ca: smtpTlsCa, rejectUnauthorized: e.SMTP_TLS_REJECT_UNAUTHORIZED ?? true },
    dkim,
    smtpListenPort: e.SMTP_LISTEN_PORT,
    smtpListenHost: e.SMTP_LISTEN_HOST,
    inboundAddresses: e.INBOUND_ADDRESSES.split(',')
      .map((a) => a.trim().toLowerCase())
      .filter(Boolean),
    inboundMaxBytes: e.INBOUND_MAX_BYTES,
    inboundSecret: e.INBOUND_SECRET,
    smtpReverseDns: e.SMTP_REVERSE_DNS ?? false,
    schedulerEnabled: e.SCHEDULER_ENABLED ?? true,
  }
}

/** The CA file's PEM text, read once at start-up so that a wrong path stops the start, not every delivery. */
function readCaFile(file: string | undefined, problems: string[]): string | undefined {
  if (!file) return undefined
  let pem: string
  try {
    pem = readFileSync(file, 'utf8')
  } catch (err) {
    problems.push(`SMTP_TLS_CA_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`)
    return undefined
  }
  try {
    new X509Certificate(pem)
  } catch {
    problems.push(`SMTP_TLS_CA_FILE: ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`)
    return undefined
  }
  return pem
}

/**
 * DKIM is on when a selector and a key are given. The key is checked here: nodemailer signs with
 * RSA only, and a key it cannot use would make it send the mail unsigned without a word.
 */
function dkimSettings(e: Env, problems: string[]): DkimSettings | null {
  const anyKey = e.DKIM_PRIVATE_KEY !== undefined || e.DKIM_PRIVATE_KEY_FILE !== undefined
  if (!e.DKIM_SELECTOR && !anyKey) {
    if (e.DKIM_DOMAIN) problems.push('DKIM_DOMAIN: DKIM also needs DKIM_SELECTOR and DKIM_PRIVATE_KEY (or DKIM_PRIVATE_KEY_FILE)')
    return null
  }
  if (!e.DKIM_SELECTOR) problems.push('DKIM_SELECTOR: required when a DKIM key is set')
  if (e.DKIM_PRIVATE_KEY !== undefined && e.DKIM_PRIVATE_KEY_FILE !== undefined)
    problems.push('DKIM_PRIVATE_KEY_FILE: set either DKIM_PRIVATE_KEY or DKIM_PRIVATE_KEY_FILE, not both')
  if (!anyKey) problems.push('DKIM_PRIVATE_KEY: required when DKIM_SELECTOR is set (or DKIM_PRIVATE_KEY_FILE)')
  let pem: string | undefined
  const source = e.DKIM_PRIVATE_KEY_FILE !== undefined ? 'DKIM_PRIVATE_KEY_FILE' : 'DKIM_PRIVATE_KEY'
  if (e.DKIM_PRIVATE_KEY_FILE !== undefined) {
    try {
      pem = readFileSync(e.DKIM_PRIVATE_KEY_FILE, 'utf8')
    } catch (err) {
      problems.push(`DKIM_PRIVATE_KEY_FILE: cannot read ${e.DKIM_PRIVATE_KEY_FILE} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`)
    }
  } else if (e.DKIM_PRIVATE_KEY !== undefined) {
    // One-line values in .env files and container settings carry the PEM's line breaks as \n.
    pem = e.DKIM_PRIVATE_KEY.replace(/\\n/g, '\n')
  }
  if (pem !== undefined) {
    try {
      const key = createPrivateKey(pem)
      if (key.asymmetricKeyType !== 'rsa') problems.push(`${source}: must be an RSA key (DKIM with rsa-sha256), not ${key.asymmetricKeyType}`)
      else if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < 1024) problems.push(`${source}: an RSA key of at least 1024 bits (2048 recommended)`)
    } catch {
      problems.push(`${source}: not a readable private key in PEM (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)`)
    }
  }
  const fromDomain = /@([^>\s]+)>?\s*$/.exec(e.MAIL_FROM)?.[1]
  const domainName = (e.DKIM_DOMAIN ?? fromDomain ?? '').toLowerCase()
  if (!domainName) problems.push('DKIM_DOMAIN: required when MAIL_FROM has no domain')
  if (!e.DKIM_SELECTOR || pem === undefined || !domainName) return null
  return { domainName, keySelector: e.DKIM_SELECTOR.toLowerCase(), privateKey: pem }
}

/** The .env file the app and every command read: beside package.json, whatever the working directory. */
export const ENV_FILE = fromRoot('.env')

/**
 * The configuration as the app and the command-line tools read it: the environment, then the .env
 * file for what the environment leaves unset (as `node --env-file` does). One loader for all, so a
 * command started elsewhere than the app still writes the same links and opens the same database.
 */
export function loadConfigFromEnvironment(options: { env?: NodeJS.ProcessEnv; envFile?: string } = {}): Config {
  const env = options.env ?? process.env
  // Into the environment itself, as process.loadEnvFile() does: libraries read it too (pg its PG*
  // variables, Express NODE_ENV).
  for (const [name, value] of Object.entries(readEnvFile(options.envFile ?? ENV_FILE))) if (env[name] === undefined) env[name] = value
  return loadConfig(env)
}

function readEnvFile(file: string): NodeJS.Dict<string> {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw new ConfigError(`Could not read ${file}: ${(err as Error).message}`)
  }
  return parseEnv(text)
}

/**
 * Null when PUBLIC_URL is set. Otherwise e-mailed links fall back to localhost and the PORT this
 * process sees, which for a command is not the app's when PORT was given to the app alone.
 */
export function publicUrlWarning(config: Config): string | null {
  if (config.publicUrlSet) return null
  return `PUBLIC_URL is not set, so links in e-mails point to ${config.publicUrl}. Set it in ${ENV_FILE} (read by the app and by every npm run command) to the address customers and agents reach Suivi at.`
}
