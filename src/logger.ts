import { pino, type Logger } from 'pino'

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'suivi' },
    // Secrets never reach the log, whatever object they hide in.
    redact: { paths: ['req.headers.cookie', 'res.headers["set-cookie"]', 'req.headers.authorization', 'password', '*.password', 'passwordHash', '*.passwordHash'], censor: '[redacted]' },
  })
}
