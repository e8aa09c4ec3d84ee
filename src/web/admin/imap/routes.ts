import { Router, type Request, type Response } from 'express'
import { z } from 'zod'
import { NotFoundError, ValidationError } from '../../../domain/errors.ts'
import { listFolderChoices } from '../../../domain/folders/folderQueries.ts'
import {
  createImapAccount,
  deleteImapAccount,
  getImapAccount,
  listImapAccounts,
  setImapAccountEnabled,
  testStoredImapAccount,
  updateImapAccount,
  type ImapAccountInput,
} from '../../../domain/mail/imapAccounts.ts'
import type { AppContext } from '../../context.ts'
import { requireAdmin, requireAgent } from '../../middleware/auth.ts'
import type { Translate } from '../../../i18n/translate.ts'
import { flash } from '../../middleware/flash.ts'
import { fieldMessages } from '../../messages.ts'
import { presentImapAccount } from '../../presenters/imapAccounts.ts'

const idParam = z.object({ id: z.coerce.number().int().positive().max(2_147_483_647) })
const accountIdOf = (req: Request) => {
  const parsed = idParam.safeParse(req.params)
  if (!parsed.success) throw new NotFoundError()
  return parsed.data.id
}
const text = (v: unknown) => (typeof v === 'string' ? v : '')
/** "help@example.com on imap.example.com": how the pages and messages name an account. */
const accountLabel = (t: Translate, a: { username: string; host: string }) => t('admin.imap.label', { username: a.username, host: a.host })

type FormValues = { host: string; port: string; secure: boolean; username: string; mailbox: string; moveToMailbox: string; folderId: string; enabled: boolean }

/** What the form posted, as the domain takes it; the password only when one was typed. */
function fromBody(body: Record<string, unknown> | undefined): { input: ImapAccountInput; values: FormValues } {
  const b = body ?? {}
  const values: FormValues = {
    host: text(b.host),
    port: text(b.port),
    secure: b.secure === 'on',
    username: text(b.username),
    mailbox: text(b.mailbox),
    moveToMailbox: text(b.moveToMailbox),
    folderId: text(b.folderId),
    enabled: b.enabled === 'on',
  }
  const password = text(b.password)
  return { input: { ...values, ...(password ? { password } : {}) }, values }
}

/** Settings › IMAP accounts: mailboxes polled for inbound mail. Passwords go in, never out. */
export function imapAdminRouter(ctx: AppContext): Router {
  const router = Router()
  router.use('/settings/imap', requireAgent, requireAdmin)

  const DEFAULTS: FormValues = { host: '', port: '993', secure: true, username: '', mailbox: 'INBOX', moveToMailbox: '', folderId: '', enabled: true }

  async function renderList(req: Request, res: Response, status: number, values: FormValues = DEFAULTS, errors: Record<string, string> = {}) {
    const now = ctx.clock()
    const [accounts, folders] = await Promise.all([listImapAccounts(ctx.domain, req.agent!), listFolderChoices(ctx.domain, req.agent!)])
    res.status(status).render('admin/imap', {
      title: req.t('admin.imap.title'),
      nav: 'settings',
      schedulerEnabled: ctx.config.schedulerEnabled,
      accounts: accounts.map((a) => presentImapAccount(a, now, req.t, req.formats)),
      folders,
      values,
      errors,
    })
  }

  async function renderEdit(req: Request, res: Response, status: number, values?: FormValues, errors: Record<string, string> = {}) {
    const id = accountIdOf(req)
    const [account, folderList] = await Promise.all([getImapAccount(ctx.domain, req.agent!, { accountId: id }), listFolderChoices(ctx.domain, req.agent!)])
    res.status(status).render('admin/imap', {
      title: req.t('admin.imap.account', { account: account.username }),
      nav: 'settings',
      schedulerEnabled: ctx.config.schedulerEnabled,
      editing: { id: account.id, label: accountLabel(req.t, account) },
      folders: folderList,
      values: values ?? {
        host: account.host,
        port: String(account.port),
        secure: account.secure,
        username: account.username,
        mailbox: account.mailbox,
        moveToMailbox: account.moveToMailbox ?? '',
        folderId: account.folderId === null ? '' : String(account.folderId),
        enabled: account.enabled,
      },
      errors,
    })
  }

  router.get('/settings/imap', (req, res) => renderList(req, res, 200))

  router.post('/settings/imap/new', async (req, res) => {
    const { input, values } = fromBody(req.body)
    try {
      const account = await createImapAccount(ctx.domain, req.agent!, input)
      flash(req, 'success', 'admin.imap.added', { account: accountLabel(req.t, account) })
      res.redirect(303, '/settings/imap')
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err
      await renderList(req, res, 400, values, fieldMessages(req.t, err.fields))
    }
  })

  router.get('/settings/imap/:id', (req, res) => renderEdit(req, res, 200))

  router.post('/settings/imap/:id', async (req, res) => {
    const id = accountIdOf(req)
    const { input, values } = fromBody(req.body)
    try {
      const account = await updateImapAccount(ctx.domain, req.agent!, { ...input, accountId: id })
      flash(req, 'success', 'admin.imap.saved', { account: accountLabel(req.t, account) })
      res.redirect(303, '/settings/imap')
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err
      await renderEdit(req, res, 400, values, fieldMessages(req.t, err.fields))
    }
  })

  router.post('/settings/imap/:id/test', async (req, res) => {
    const { account, result } = await testStoredImapAccount(ctx.domain, req.agent!, { accountId: accountIdOf(req), logger: req.log })
    const who = accountLabel(req.t, account)
    if (result.ok) flash(req, 'success', 'admin.imap.connected', { account: who, count: result.mailboxes, mailbox: account.mailbox })
    else flash(req, 'error', 'admin.imap.notConnected', { account: who, error: result.error })
    res.redirect(303, '/settings/imap')
  })

  for (const [action, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    router.post(`/settings/imap/:id/${action}`, async (req, res) => {
      const account = await setImapAccountEnabled(ctx.domain, req.agent!, { accountId: accountIdOf(req), enabled })
      flash(req, 'success', enabled ? 'admin.imap.pollingAgain' : 'admin.imap.notPolled', { account: accountLabel(req.t, account) })
      res.redirect(303, '/settings/imap')
    })
  }

  router.post('/settings/imap/:id/delete', async (req, res) => {
    const account = await deleteImapAccount(ctx.domain, req.agent!, { accountId: accountIdOf(req) })
    flash(req, 'success', 'admin.imap.deleted', { account: accountLabel(req.t, account) })
    res.redirect(303, '/settings/imap')
  })

  return router
}
