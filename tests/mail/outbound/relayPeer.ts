import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { simpleParser, type ParsedMail } from 'mailparser'
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server'

export interface RelayMessage {
  envelope: { mailFrom: string | null; rcptTo: string[] }
  /** Whether the session had been upgraded with STARTTLS. */
  secure: boolean
  raw: Buffer
  parsed: ParsedMail
}

export interface Relay {
  url: string
  port: number
  messages: RelayMessage[]
  stop(): Promise<void>
}

export interface RelayOptions {
  /** Offers STARTTLS with this key and certificate (PEM), as Debian's Postfix does with its own. */
  tls?: { key: string; cert: string }
  /** A refusal at RCPT for an address ("550 5.1.1 …" is code 550 and the rest as message), or null to accept it. */
  refuse?: (address: string) => { code: number; message: string } | null
}

/** An SMTP relay on loopback for the outbound tests: offers STARTTLS when given a certificate. */
export async function startRelay(options: RelayOptions = {}): Promise<Relay> {
  const messages: RelayMessage[] = []
  const server = new SMTPServer({
    secure: false,
    ...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : { disabledCommands: ['STARTTLS'] }),
    authOptional: true,
    disableReverseLookup: true,
    logger: false,
    closeTimeout: 500,
    onRcptTo(address, _session, callback) {
      const refusal = options.refuse?.(address.address)
      if (!refusal) return callback()
      callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }))
    },
    onData(stream: SMTPServerDataStream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        const raw = Buffer.concat(chunks)
        simpleParser(raw, { skipImageLinks: true }).then(
          (parsed) => {
            messages.push({
              envelope: {
                mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
                rcptTo: session.envelope.rcptTo.map((r) => r.address),
              },
              secure: session.secure,
              raw,
              parsed,
            })
            callback()
          },
          (err: Error) => callback(err),
        )
      })
    },
  })
  server.on('error', () => {}) // a client hanging up mid-session is not the test's concern
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const port = (server.server.address() as AddressInfo).port
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

export interface Certificate {
  key: string
  cert: string
  /** The certificate in a PEM file, for SMTP_TLS_CA_FILE. */
  certFile: string
  /** Removes the files. */
  remove(): void
}

/**
 * A self-signed certificate made with openssl (as Debian's "snakeoil" one is), for the names given
 * ("DNS:localhost", "IP:127.0.0.1").
 */
export function selfSignedCertificate(commonName: string, altNames: string[]): Certificate {
  const dir = mkdtempSync(path.join(tmpdir(), 'suivi-cert-'))
  const keyFile = path.join(dir, 'key.pem')
  const certFile = path.join(dir, 'cert.pem')
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      `/CN=${commonName}`,
      ...(altNames.length ? ['-addext', `subjectAltName=${altNames.join(',')}`] : []),
    ],
    { stdio: 'pipe' },
  )
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile, remove: () => rmSync(dir, { recursive: true, force: true }) }
}
