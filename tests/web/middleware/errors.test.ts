import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { z } from 'zod'
import { agentUpdateSchema, inviteSchema, notificationSchema } from '../../../src/domain/agents/manageAgents.ts'
import { firstAdminSchema } from '../../../src/domain/agents/firstAdmin.ts'
import { passwordSchema } from '../../../src/domain/agents/passwords.ts'
import { addInternalComment, commentSchema } from '../../../src/domain/conversations/commands/addInternalComment.ts'
import { assignSchema } from '../../../src/domain/conversations/commands/assignConversation.ts'
import { createConversationSchema } from '../../../src/domain/conversations/commands/createConversation.ts'
import { moveSchema } from '../../../src/domain/conversations/commands/moveConversation.ts'
import { replySchema } from '../../../src/domain/conversations/commands/replyAsAgent.ts'
import { setStatusSchema } from '../../../src/domain/conversations/commands/setConversationStatus.ts'
import { tagSchema } from '../../../src/domain/conversations/commands/tagConversation.ts'
import { issueMessage, ValidationError } from '../../../src/domain/errors.ts'
import { folderInput } from '../../../src/domain/folders/createFolder.ts'
import { deleteFolderInput, folderUpdateInput } from '../../../src/domain/folders/manageFolders.ts'
import { imapAccountInput } from '../../../src/domain/mail/imapAccounts.ts'
import { settingsSchema } from '../../../src/domain/settings/settings.ts'
import { tagInput } from '../../../src/domain/tags/createTag.ts'
import { tagUpdateInput } from '../../../src/domain/tags/manageTags.ts'
import { assignForm, bulkForm, messageForm, moveForm, newConversationForm, statusForm, tagForm } from '../../../src/web/agent/conversations/schema.ts'
import { issueMessage as formIssueMessage, messageText } from '../../../src/i18n/issueMessages.ts'
import { translator } from '../../../src/i18n/translate.ts'
import { buildAgent, buildConversation, buildFolder, buildTag } from '../../helpers/factories.ts'
import { ADMIN, csrfFrom, setUpAndSignIn, startTestApp, type TestApp } from '../../helpers/testApp.ts'

/** zod's own English texts (its "en" locale), which are for developers and never for a form. */
const ZOD_DEFAULT =
  /Invalid input|Invalid option|Too big|Too small|Invalid string|Invalid number|Invalid (email address|URL|value|key|element)|Invalid discriminator|Unrecognized keys?:|expected (string|number|int|array|object|boolean|nonoptional)|received (string|number|array|object|undefined|null|NaN|boolean)/

const en = translator('en')
const fr = translator('fr')
/** An issue's message as an English and a French reader read it. */
const english = (issue: { message: string; path: readonly PropertyKey[] }) => messageText(en, issueMessage(issue))
const french = (issue: { message: string; path: readonly PropertyKey[] }) => messageText(fr, issueMessage(issue))

const OVER_LONG = 'x'.repeat(1_000_001)
/** Values a tampered or broken form may carry: over-long, a list, an object, and numbers and words where the other is due. */
const BAD_VALUES: unknown[] = [
  OVER_LONG,
  'y'.repeat(6000),
  ['a', 'b'],
  { nested: 'value' },
  -1,
  '-1',
  1.5,
  '1.5',
  99_999_999_999,
  '99999999999',
  'not-a-choice',
  '',
  null,
  true,
]

const FORM_SCHEMAS: Record<string, z.ZodType> = {
  // The agent's conversation forms, as the routes read them.
  messageForm,
  newConversationForm,
  assignForm,
  moveForm,
  tagForm,
  statusForm,
  bulkForm,
  // The commands behind the agent and admin forms, which check them again.
  createConversationSchema,
  replySchema,
  commentSchema,
  assignSchema,
  moveSchema,
  tagSchema,
  setStatusSchema,
  inviteSchema,
  agentUpdateSchema,
  notificationSchema,
  firstAdminSchema,
  passwordSchema,
  folderInput,
  folderUpdateInput,
  deleteFolderInput,
  tagInput,
  tagUpdateInput,
  settingsSchema,
  imapAccountInput,
}

/** Every message a schema gives for each bad value in each of its fields, and for a whole input of the wrong kind. */
function messagesOf(schema: z.ZodType, read = english): string[] {
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape
  const inputs: unknown[] = [undefined, 'a string', [], 42, ...(shape ? [] : BAD_VALUES)]
  for (const field of Object.keys(shape ?? {})) for (const bad of BAD_VALUES) inputs.push({ [field]: bad })
  const messages: string[] = []
  for (const input of inputs) {
    const parsed = schema.safeParse(input)
    if (!parsed.success) messages.push(...parsed.error.issues.map(read))
  }
  return messages
}

describe('every schema issue of the agent and admin forms is a written sentence', () => {
  for (const [name, schema] of Object.entries(FORM_SCHEMAS)) {
    it(`${name}: no zod default text for over-long or wrong-typed values`, () => {
      const messages = messagesOf(schema)
      expect(messages.length, 'bad values are refused').toBeGreaterThan(0)
      expect(messages.filter((m) => ZOD_DEFAULT.test(m))).toEqual([])
    })
    it(`${name}: every message is a sentence of the catalogues, in French too`, () => {
      const messages = messagesOf(schema, french)
      expect(messages.filter((m) => /^(validation|error|field)\.|\u241e|\bthe\b/.test(m) || ZOD_DEFAULT.test(m))).toEqual([])
    })
  }

  it('a schema message is language-free until it is read: a key and its values', () => {
    const issue = createConversationSchema.safeParse({ customerEmail: 'a@example.com', customerName: 'n'.repeat(201), subject: 's', folderId: 1, mode: 'send' })
      .error!.issues[0]!
    expect(issueMessage(issue)).toEqual({ key: 'validation.tooLong', values: { field: 'customerName', max: 200 } })
    expect(english(issue)).toBe('The customer’s name is too long: use at most 200 characters.')
    expect(french(issue)).toBe('Le nom du client\u00a0: 200 caractères au plus.')
    const missing = folderInput.safeParse({ name: '  ' }).error!.issues[0]!
    expect(issueMessage(missing)).toEqual({ key: 'validation.enterName' })
    expect(french(missing)).toBe('Saisissez un nom')
    // A message of zod's own (or any other text) is never shown: the field's generic sentence is.
    expect(issueMessage({ message: 'Invalid input', path: ['subject'] })).toEqual({ key: 'validation.unreadable', values: { field: 'subject' } })
  })

  it('says what is wrong with a typed address, quoting it', () => {
    const message = (customerEmail: unknown) => {
      const issue = newConversationForm.safeParse({ customerEmail, subject: 's', folderId: '1' }).error?.issues.find((i) => i.path[0] === 'customerEmail')
      return issue && english(issue)
    }
    expect(message('bob@')).toBe('“bob@” is not a complete e-mail address.')
    expect(message('bob@example')).toBe('“bob@example” is not a complete e-mail address.')
    expect(message('bob')).toBe('“bob” is not an e-mail address: it has no @.')
    expect(message('  ')).toBe('Enter the customer’s e-mail address.')
    expect(message(undefined)).toBe('Enter the customer’s e-mail address.')
    expect(message(`${'b'.repeat(300)}@example.com`)).toBe('The customer’s e-mail address is too long: use at most 254 characters.')
    expect(message(' Nora@Example.com ')).toBeUndefined()
  })

  it('names the field and the limit in plain words', () => {
    const fields = (schema: z.ZodType, input: unknown) => Object.fromEntries(schema.safeParse(input).error!.issues.map((i) => [i.path.join('.'), english(i)]))
    expect(
      fields(createConversationSchema, { customerEmail: 'a@example.com', customerName: 'n'.repeat(201), subject: 's', folderId: 1, mode: 'send' }),
    ).toEqual({
      customerName: 'The customer’s name is too long: use at most 200 characters.',
    })
    expect(
      fields(settingsSchema, { pendingCloseDays: 'soon', reminderBeforeCloseDays: -1, reopenWindowDays: 4000, reminderTexts: { en: 'r'.repeat(5001) } }),
    ).toEqual({
      pendingCloseDays: 'The days before closing must be a whole number.',
      reminderBeforeCloseDays: 'The days of the reminder before closing must be at least 0.',
      reopenWindowDays: 'The days in which a reply reopens must be at most 3,650.',
      'reminderTexts.en': 'The reminder text is too long: use at most 5,000 characters.',
    })
    expect(fields(bulkForm, { action: 'archive', ids: ['x'] })).toEqual({
      action: 'Choose the action from the list.',
      'ids.0': 'Choose the conversations from the list.',
    })
    const message = formIssueMessage({ code: 'too_big', origin: 'array', maximum: 500, inclusive: true, input: [], path: ['folderIds'] })
    expect(english({ message, path: ['folderIds'] })).toBe('Choose at most 500 of the folders.')
    expect(french({ message, path: ['folderIds'] })).toBe('Choisissez au plus 500 éléments parmi les dossiers.')
  })

  it('a command refusing a message over its length says so in words', async () => {
    // Straight from the command, before any database work: the schema refuses first.
    const refusal = await addInternalComment(
      {} as never,
      { id: 1, name: 'A', email: 'a@example.com', role: 'admin' },
      { conversationId: 1, text: OVER_LONG },
    ).catch((err: unknown) => err)
    expect(refusal).toBeInstanceOf(ValidationError)
    expect(messageText(en, (refusal as ValidationError).fields.text!)).toBe('The message is too long: use at most 1,000,000 characters.')
  })
})

describe('no zod default text reaches a person through the agent and admin forms', () => {
  let app: TestApp
  let admin: ReturnType<typeof request.agent>
  let token: string
  const prisma = () => app.ctx.db.prisma
  const seen: string[] = []

  beforeAll(async () => {
    app = await startTestApp()
  })
  afterAll(async () => {
    await app?.close()
  })

  /** The page a person sees after a post: the answer itself, or the page a redirect leads to (where a flash shows). */
  async function pageAfter(client: ReturnType<typeof request.agent>, res: { status: number; text: string; headers: Record<string, string> }) {
    if (res.status !== 303 && res.status !== 302) return res.text
    const location = res.headers.location!
    return (await client.get(location)).text
  }

  function expectNoDefaultText(where: string, html: string) {
    const decoded = html.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#61;/g, '=').replace(/&amp;/g, '&')
    const found = ZOD_DEFAULT.exec(decoded)
    expect(found ? decoded.slice(Math.max(0, found.index - 120), found.index + 120) : null, where).toBeNull()
  }

  /** Posts the form once per field and bad value, the other fields valid, and checks what the person sees. */
  async function attack(
    path: string,
    base: Record<string, string>,
    fields: string[],
    options: { multipart?: boolean; client?: ReturnType<typeof request.agent>; csrf?: string } = {},
  ) {
    const client = options.client ?? admin
    const csrf = options.csrf ?? token
    const values: (string | string[])[] = [OVER_LONG.slice(0, options.multipart ? undefined : 6000), ['a', 'b'], '-1', '1.5', '99999999999', 'not-a-choice', '']
    for (const field of fields) {
      for (const bad of values) {
        let res
        if (options.multipart) {
          let req = client.post(path).field('_csrf', csrf)
          for (const [k, v] of Object.entries(base)) if (k !== field) req = req.field(k, v)
          for (const v of ([] as string[]).concat(bad)) req = req.field(field, v)
          res = await req
        } else {
          const body = new URLSearchParams({ _csrf: csrf })
          for (const [k, v] of Object.entries(base)) if (k !== field) body.append(k, v)
          for (const v of ([] as string[]).concat(bad)) body.append(field, v)
          res = await client.post(path).type('form').send(body.toString())
        }
        const label = `${path} ${field}=${Array.isArray(bad) ? JSON.stringify(bad) : bad.slice(0, 20)} (${res.status})`
        seen.push(label)
        expectNoDefaultText(label, await pageAfter(client, res))
      }
    }
  }

  it('answers errors in the reader’s language, pages and JSON alike, even before the language was chosen', async () => {
    const missing = await request(app.url).get('/no-such-page').set('Accept-Language', 'fr').set('Accept', 'application/json')
    expect(missing.status).toBe(404)
    expect(missing.body).toEqual({ error: 'Il n’y a rien ici. La page a peut-être été déplacée, ou vous n’y avez pas accès.' })
    const page = await request(app.url).get('/no-such-page').set('Accept-Language', 'fr-FR,fr;q=0.9')
    expect(page.status).toBe(404)
    expect(page.text).toContain('Page introuvable')
    expect((await request(app.url).get('/no-such-page').set('Accept', 'application/json')).body).toEqual({
      error: 'There is nothing here. It may have been moved, or you may not have access to it.',
    })
    // A body that cannot be parsed fails before the language middleware: the browser's language still applies.
    const malformed = await request(app.url)
      .post('/contact')
      .set('Accept-Language', 'fr')
      .set('Accept', 'application/json')
      .set('Content-Type', 'application/json')
      .send('{"broken":')
    expect(malformed.status).toBe(400)
    expect(malformed.body).toEqual({ error: 'La requête n’a pas pu être lue.' })
    const malformedPage = await request(app.url).post('/contact').set('Accept-Language', 'fr').set('Content-Type', 'application/json').send('{"broken":')
    expect(malformedPage.status).toBe(400)
    expect(malformedPage.text).toContain('Requête mal formée')
    expect(malformedPage.text).toContain('<html lang="fr"')
  })

  it('the first-run form', async () => {
    const client = request.agent(app.url)
    const csrf = csrfFrom((await client.get('/setup')).text)
    await attack('/setup', { name: 'First Admin', email: 'first@example.com', password: 'short' }, ['name', 'email'], { client, csrf })
    expect(await prisma().agent.count()).toBe(0)
  })

  it('the conversation forms', async () => {
    admin = await setUpAndSignIn(app)
    token = csrfFrom((await admin.get('/conversations')).text)
    const a = await prisma().agent.findUniqueOrThrow({ where: { email: ADMIN.email } })
    const actor = { id: a.id, name: a.name, email: a.email, role: a.role }
    const general = await prisma().folder.findFirstOrThrow({ orderBy: { id: 'asc' } })
    const tag = await buildTag(prisma(), 'form-test')
    const conversation = await buildConversation(app.ctx.domain, actor, { folderId: general.id, subject: 'Bad values' })
    const href = `/conversations/${conversation.number}`

    await attack(
      '/conversations',
      {
        mode: 'record',
        customerEmail: 'form.test@example.com',
        customerName: 'Form Test',
        subject: 'A subject',
        folderId: String(general.id),
        assigneeId: '',
        text: 'Body',
      },
      ['mode', 'customerEmail', 'customerName', 'subject', 'folderId', 'assigneeId', 'text', 'html'],
      { multipart: true },
    )
    await attack(`${href}/messages`, { type: 'comment', text: 'A note', statusAfter: '' }, ['type', 'text', 'statusAfter', 'seenMessageCount'], {
      multipart: true,
    })
    await attack(`${href}/messages`, { type: 'reply', text: 'A reply', statusAfter: '' }, ['text', 'statusAfter', 'seenMessageCount', 'afterSend', 'undo'])
    await attack(`${href}/assign`, { assigneeId: '' }, ['assigneeId'])
    await attack(`${href}/move`, { folderId: String(general.id) }, ['folderId'])
    await attack(`${href}/tags`, { tagId: String(tag.id) }, ['tagId'])
    await attack(`${href}/status`, { status: 'open' }, ['status'])
    for (const bad of ['abc', '-1', '99999999999']) {
      const res = await admin.post(`${href}/tags/${bad}/remove`).type('form').send({ _csrf: token })
      expectNoDefaultText(`remove tag ${bad}`, await pageAfter(admin, res))
    }
    await attack('/conversations/bulk', { action: 'close', ids: String(conversation.id), back: '/conversations' }, [
      'action',
      'ids',
      'assigneeId',
      'folderId',
      'tagId',
    ])
    await attack('/profile', { notifyOnNewInFolder: 'on' }, ['notifyOnNewInFolder', 'pref_mention', 'pref_assigned'])
  }, 120_000)

  it('the admin forms', async () => {
    const folder = await buildFolder(prisma(), 'Form test desk')
    const agent = await buildAgent(prisma(), { folderIds: [folder.id], name: 'Form Test Agent' })
    const tag = await buildTag(prisma(), 'admin-form-test')
    const account = await app.ctx.db.prisma.imapAccount.create({
      data: { host: 'imap.example.com', port: 993, secure: true, username: 'u', password: 'p', mailbox: 'INBOX', enabled: false },
    })

    await attack('/settings/tags', { name: 'quick tag', colour: 'red' }, ['name', 'colour'])
    await attack('/settings/folders', { name: 'quick folder' }, ['name'])
    await attack('/settings/tags/new', { name: 'new tag', colour: 'red' }, ['name', 'colour'])
    await attack(`/settings/tags/${tag.id}`, { name: 'admin-form-test', colour: 'red' }, ['name', 'colour'])
    await attack('/settings/folders/new', { name: 'new folder' }, ['name'])
    await attack(`/settings/folders/${folder.id}`, { name: 'Form test desk', inboundAddress: '', signatureHtml: '' }, [
      'name',
      'inboundAddress',
      'signatureHtml',
      'acknowledgementText',
    ])
    await attack(`/settings/folders/${folder.id}/move`, { direction: 'up' }, ['direction'])
    await buildConversation(app.ctx.domain, { id: agent.id, name: agent.name, email: agent.email, role: 'admin' }, { folderId: folder.id })
    await attack(`/settings/folders/${folder.id}/delete`, {}, ['moveTo'])
    await attack('/settings/agents', { name: 'Invited', email: 'invited@example.com', role: 'agent' }, ['name', 'email', 'role', 'folderIds'])
    await attack(`/settings/agents/${agent.id}`, { name: 'Form Test Agent', role: 'agent', folderIds: String(folder.id) }, [
      'name',
      'role',
      'folderIds',
      'notifyOnNewInFolder',
      'pref_assigned',
    ])
    const imap = { host: 'imap.example.com', port: '993', username: 'u', mailbox: 'INBOX', moveToMailbox: '', folderId: '' }
    await attack('/settings/imap/new', imap, ['host', 'port', 'username', 'password', 'mailbox', 'moveToMailbox', 'folderId'])
    await attack(`/settings/imap/${account.id}`, imap, ['host', 'port', 'username', 'password', 'mailbox', 'moveToMailbox', 'folderId'])
    await attack(
      '/settings/lifecycle',
      {
        pendingCloseDays: '30',
        reminderBeforeCloseDays: '7',
        reopenWindowDays: '30',
        attachmentMaxMegabytes: '8',
        sweepSchedule: '*/5 * * * *',
        'reminderTexts.en': 'Solved?',
        'reminderTexts.fr': 'Résolu ?',
        'closingTexts.en': 'Closed.',
        'closingTexts.fr': '',
      },
      [
        'pendingCloseDays',
        'reminderBeforeCloseDays',
        'reopenWindowDays',
        'attachmentMaxMegabytes',
        'sweepSchedule',
        'reminderTexts.en',
        'reminderTexts.fr',
        'closingTexts.en',
        'closingTexts.fr',
      ],
    )
    await attack('/settings/defaults', { defaultLocale: 'en', defaultTimeZone: 'UTC' }, ['defaultLocale', 'defaultTimeZone'])
    expect(seen.length).toBeGreaterThan(300)
  }, 180_000)
})
