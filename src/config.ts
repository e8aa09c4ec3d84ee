import { z } from 'zod'

// Empty strings in the environment mean "not set", as in most .env files.
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional())

const booleanish = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes')

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
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
})

export type Env = z.infer<typeof configSchema>

export interface Config {
  env: Env['NODE_ENV']
  port: number
  host: string
  publicUrl: string
  databaseUrl: string | undefined
  dataDir: string
  sessionSecret: string | undefined
  trustProxy: boolean
  adminEmail: string | undefined
  adminPassword: string | undefined
  mailFrom: string
  logLevel: Env['LOG_LEVEL']
  loginRateLimit: number
  sessionCookieName: string
}

export class ConfigError extends Error {}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(source)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`)
  }
  const e = parsed.data
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    sessionSecret: e.SESSION_SECRET,
    trustProxy: e.TRUST_PROXY ?? false,
    adminEmail: e.ADMIN_EMAIL?.toLowerCase(),
    adminPassword: e.ADMIN_PASSWORD,
    mailFrom: e.MAIL_FROM,
    logLevel: e.LOG_LEVEL,
    loginRateLimit: e.LOGIN_RATE_LIMIT,
    sessionCookieName: 'suivi.sid',
  }
}
