import { createServer } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testImapConnection } from '../../../src/domain/mail/imapAccounts.ts'
import { startDovecot, type Dovecot } from '../../helpers/dovecot.ts'
import { csrfFrom, setUpAndSignIn, startTestApp, type TestApp } from '../../helpers/testApp.ts'

type Client = Awaited<ReturnType<typeof setUpAndSignIn>>

const MAILBOX_USER = { user: 'help@example.test', password: 'Imap-Secret-4711' }
const WRONG_PASSWORD = 'Wrong-Guess-0815'

/** Every POST form carries the CSRF token; every visible control has a label. */
function expectFormsSafe(html: string) {
  for (const [form] of html.matchAll(/<form[\s\S]*?<\/form>/g)) {
    if (/method="post"/.test(form)) expect(form).toMatch(/name="_csrf" value="[^"]+"/)
    for (const m of form.matchAll(/<(input|select|textarea)\b([^>]*)>/g)) {
      const attrs = m[2]!
      if (/type="hidden"/.test(attrs)) continue
      const id = /\bid="([^"]+)"/.exec(attrs)?.[1]
      if (id) expect(html, `a label for #${id}`).toContain(`for="${id}"`)
      else {
        const before = form.slice(0, m.index)
        expect(before.lastIndexOf('<label'), `a label around ${m[0]}`).toBeGreaterThan(before.lastIndexOf('</label>'))
      }
    }
  }
}

/** A port on loopback where nothing listens. */
async function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

describe('settings: IMAP accounts', () => {
  let dovecot: Dovecot
  let app: TestApp
  let admin: Client
  let accountId: number
  const prisma = () => app.ctx.db.prisma

  beforeAll(async () => {
    ;[dovecot, app] = await Promise.all([startDovecot({ users: [MAILBOX_USER] }), startTestApp()])
    admin = await setUpAndSignIn(app)
  })
  afterAll(async () => {
    await Promise.allSettled([dovecot?.stop(), app?.close()])
  })

  const form = (changes: Record<string, string> = {}) => ({
    host: '127.0.0.1',
    port: String(dovecot.port),
    username: MAILBOX_USER.user,
    password: '',
    mailbox: 'INBOX',
    moveToMailbox: '',
    folderId: '',
    enabled: 'on',
    ...changes,
  })

  async function post(path: string, fields: Record<string, string>, from = '/settings/imap') {
    const page = await admin.get(from)
    return admin
      .post(path)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), ...fields })
  }

  /** The page after a redirect, where the flash message shows. */
  const flashOf = async (path = '/settings/imap') => /<div class="flash flash-(\w+)"[^>]*>([^<]*)<\/div>/.exec((await admin.get(path)).text)?.slice(1) ?? []

  it('adds an account; the password is stored but never shown back', async () => {
    const page = await admin.get('/settings/imap')
    expect(page.status).toBe(200)
    expect(page.text).toContain('No IMAP account yet')
    expectFormsSafe(page.text)
    const missing = await post('/settings/imap/new', form({ password: '' }))
    expect(missing.status).toBe(400)
    expect(missing.text).toContain('Enter the password')
    const badHost = await post('/settings/imap/new', form({ host: 'imaps://mail.example.com', password: MAILBOX_USER.password }))
    expect(badHost.status).toBe(400)
    expect(badHost.text).toContain('Enter a server name such as imap.example.com')
    // A refused form never echoes the password it was sent.
    expect(badHost.text).not.toContain(MAILBOX_USER.password)

    const res = await post('/settings/imap/new', form({ password: MAILBOX_USER.password }))
    expect(res.status).toBe(303)
    const account = await prisma().imapAccount.findFirstOrThrow()
    accountId = account.id
    expect(account).toMatchObject({
      host: '127.0.0.1',
      port: dovecot.port,
      secure: false,
      username: MAILBOX_USER.user,
      password: MAILBOX_USER.password,
      enabled: true,
      mailbox: 'INBOX',
      moveToMailbox: null,
    })

    const list = await admin.get('/settings/imap')
    expect(list.text).toContain(`IMAP account ${MAILBOX_USER.user} on 127.0.0.1 added.`)
    expect(list.text).toContain('Not polled yet')
    expect(list.text).toContain(`action="/settings/imap/${accountId}/test"`)
    expect(list.text).not.toContain(MAILBOX_USER.password)
    expectFormsSafe(list.text)

    const edit = await admin.get(`/settings/imap/${accountId}`)
    expect(edit.status).toBe(200)
    expect(edit.text).not.toContain(MAILBOX_USER.password)
    expect(edit.text).toMatch(/<input id="imap-password" name="password" type="password"[^>]*value=""[^>]*placeholder="unchanged"/)
    expectFormsSafe(edit.text)
  })

  it('tests the connection against a real IMAP server and flashes the result', async () => {
    const res = await post(`/settings/imap/${accountId}/test`, {})
    expect(res.status).toBe(303)
    const [kind, message] = await flashOf()
    expect(kind).toBe('success')
    expect(message).toMatch(new RegExp(`^Connected to ${MAILBOX_USER.user} on 127\\.0\\.0\\.1: signed in and found \\d+ mailbox(es)?, including “INBOX”\\.$`))
  })

  it('keeps the stored password when the field is left empty', async () => {
    const res = await post(`/settings/imap/${accountId}`, form({ moveToMailbox: 'Processed' }), `/settings/imap/${accountId}`)
    expect(res.status).toBe(303)
    expect(await prisma().imapAccount.findUniqueOrThrow({ where: { id: accountId } })).toMatchObject({
      password: MAILBOX_USER.password,
      moveToMailbox: 'Processed',
    })
    await post(`/settings/imap/${accountId}/test`, {})
    expect((await flashOf())[0]).toBe('success')
  })

  it('asks for the password again when the server changes', async () => {
    const res = await post(`/settings/imap/${accountId}`, form({ host: 'localhost' }), `/settings/imap/${accountId}`)
    expect(res.status).toBe(400)
    expect(res.text).toContain('Enter the password again: the server changed')
    expect((await prisma().imapAccount.findUniqueOrThrow({ where: { id: accountId } })).host).toBe('127.0.0.1')
  })

  it('reports a wrong password without ever showing it', async () => {
    const res = await post(`/settings/imap/${accountId}`, form({ password: WRONG_PASSWORD }), `/settings/imap/${accountId}`)
    expect(res.status).toBe(303)
    expect((await prisma().imapAccount.findUniqueOrThrow({ where: { id: accountId } })).password).toBe(WRONG_PASSWORD)
    await post(`/settings/imap/${accountId}/test`, {})
    const page = await admin.get('/settings/imap')
    const [kind, message] = /<div class="flash flash-(\w+)"[^>]*>([^<]*)<\/div>/.exec(page.text)!.slice(1)
    expect(kind).toBe('error')
    expect(message).toContain(`Could not connect to ${MAILBOX_USER.user} on 127.0.0.1:`)
    expect(message).toContain('check the user name and password')
    expect(page.text).not.toContain(WRONG_PASSWORD)
    const audit = await admin.get('/settings/audit')
    if (audit.status === 200) {
      expect(audit.text).not.toContain(WRONG_PASSWORD)
      expect(audit.text).not.toContain(MAILBOX_USER.password)
    }
    const stored = await prisma().auditEvent.findMany({ where: { targetType: 'imap_account' } })
    // Audit ids are bigints (positions in the event log), which JSON has no literal for.
    const storedText = JSON.stringify(stored, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value))
    expect(storedText).not.toContain(WRONG_PASSWORD)
    expect(storedText).not.toContain(MAILBOX_USER.password)
    expect(stored.find((a) => a.action === 'imap.updated' && (a.data as Record<string, unknown>).credentials === 'password replaced')).toBeTruthy()
  })

  it('testImapConnection answers ok with a mailbox count, or a password-free error, and a clear one when nothing listens', async () => {
    const settings = { host: '127.0.0.1', port: dovecot.port, secure: false, username: MAILBOX_USER.user, mailbox: 'INBOX' }
    const ok = await testImapConnection({ ...settings, password: MAILBOX_USER.password })
    expect(ok.ok).toBe(true)
    if (ok.ok) expect(ok.mailboxes).toBeGreaterThanOrEqual(1)
    const wrong = await testImapConnection({ ...settings, password: WRONG_PASSWORD })
    expect(wrong).toEqual({ ok: false, error: expect.stringContaining('check the user name and password') })
    expect(JSON.stringify(wrong)).not.toContain(WRONG_PASSWORD)
    const noMailbox = await testImapConnection({ ...settings, password: MAILBOX_USER.password, mailbox: 'Nope' })
    expect(noMailbox).toEqual({ ok: false, error: expect.stringContaining('Signed in, but the mailbox “Nope” could not be opened') })
    const port = await closedPort()
    const started = Date.now()
    const refused = await testImapConnection({ ...settings, port, password: MAILBOX_USER.password })
    expect(refused).toEqual({ ok: false, error: `Nothing answers on 127.0.0.1:${port}: check the server name and port` })
    expect(Date.now() - started).toBeLessThan(10_000)
  })

  it('disables, enables and deletes an account, audited', async () => {
    expect((await post(`/settings/imap/${accountId}/disable`, {})).status).toBe(303)
    expect((await prisma().imapAccount.findUniqueOrThrow({ where: { id: accountId } })).enabled).toBe(false)
    const list = await admin.get('/settings/imap')
    expect(list.text).toContain(`${MAILBOX_USER.user} on 127.0.0.1 is no longer polled.`)
    expect(list.text).toContain(`action="/settings/imap/${accountId}/enable"`)
    expect((await post(`/settings/imap/${accountId}/enable`, {})).status).toBe(303)
    expect((await prisma().imapAccount.findUniqueOrThrow({ where: { id: accountId } })).enabled).toBe(true)
    expect((await post(`/settings/imap/${accountId}/delete`, {})).status).toBe(303)
    expect(await prisma().imapAccount.count()).toBe(0)
    const actions = (await prisma().auditEvent.findMany({ where: { targetType: 'imap_account' }, orderBy: { id: 'asc' } })).map((a) => a.action)
    expect(actions).toEqual([
      'imap.created',
      'imap.tested',
      'imap.updated',
      'imap.tested',
      'imap.updated',
      'imap.tested',
      'imap.disabled',
      'imap.enabled',
      'imap.deleted',
    ])
    expect((await admin.get(`/settings/imap/${accountId}`)).status).toBe(404)
  })
})
