import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino'

/** JSON lines to stdout, or to `destination` (tests read what would be logged). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { service: 'suivi' },
    // Secrets never reach the log, whatever object they hide in.
    redact: {
      paths: ['req.headers.cookie', 'res.headers["set-cookie"]', 'req.headers.authorization', 'password', '*.password', 'passwordHash', '*.passwordHash'],
      censor: '[redacted]',
    },
  }
  return destination ? pino(options, destination) : pino(options)
}
