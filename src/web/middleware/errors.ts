import type { NextFunction, Request, Response } from 'express'
import { z, ZodError } from 'zod'
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, fromZodError } from '../../domain/errors.ts'
import { invalidCsrfTokenError } from './csrf.ts'
import { isDatabaseUnavailable } from '../../db/unavailable.ts'

/** How a sentence names each field of the agent and admin forms (the others are spelled out from their name). */
const FIELD_LABELS: Record<string, string> = {
  _: 'the form',
  customerEmail: 'the customer’s e-mail address',
  customerName: 'the customer’s name',
  subject: 'the subject',
  folderId: 'the folder',
  folderIds: 'the folders',
  assigneeId: 'the assignee',
  tagId: 'the tag',
  ids: 'the conversations',
  html: 'the message',
  text: 'the message',
  body: 'the message',
  mode: 'what you are doing',
  type: 'the kind of message',
  statusAfter: 'the status after sending',
  seenMessageCount: 'the page’s version of the thread',
  status: 'the status',
  action: 'the action',
  name: 'the name',
  email: 'the e-mail address',
  role: 'the role',
  password: 'the password',
  colour: 'the colour',
  inboundAddress: 'the inbound address',
  signatureHtml: 'the signature',
  moveTo: 'the folder to move them to',
  pendingCloseDays: 'the days before closing',
  reminderBeforeCloseDays: 'the days of the reminder before closing',
  reopenWindowDays: 'the days in which a reply reopens',
  attachmentMaxBytes: 'the largest attachment',
  sweepSchedule: 'the schedule',
  reminderText: 'the reminder text',
  closingText: 'the closing text',
  host: 'the server name',
  port: 'the port',
  username: 'the user name',
  mailbox: 'the mailbox',
  moveToMailbox: 'the mailbox to move messages to',
  secure: 'the secure connection',
  enabled: 'the polling',
  closingEmailEnabled: 'the closing e-mail',
  acknowledge: 'the automatic acknowledgement',
  acknowledgementText: 'the acknowledgement text',
  notifyOnAssign: 'the e-mail when a conversation is assigned',
  notifyOnCustomerReply: 'the e-mail when a customer replies',
  notifyOnNewInFolder: 'the e-mail for a new conversation',
  direction: 'the direction',
  back: 'the page to return to',
}

/** The field an issue is about: the last name in its path (an index of a list belongs to the list). */
const fieldKey = (path: readonly PropertyKey[] | undefined) => [...(path ?? [])].reverse().find((p): p is string => typeof p === 'string') ?? '_'

function fieldLabel(key: string): string {
  if (FIELD_LABELS[key]) return FIELD_LABELS[key]
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/ ids?$/, '')
  return `the ${words}`
}

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)
const count = (n: number | bigint) => (typeof n === 'number' ? n.toLocaleString('en') : String(n))

/** What the person typed, quoted back: never the whole of a long value. */
export function quoted(value: unknown): string {
  const s = String(value)
  return `“${s.length > 60 ? `${s.slice(0, 59)}…` : s}”`
}

/** Says what is wrong with a typed e-mail address, quoting it. */
export function emailAddressProblem(input: unknown, label = 'the e-mail address'): string {
  const typed = typeof input === 'string' ? input.trim() : ''
  if (typed === '') return `Enter ${label}.`
  if (!typed.includes('@')) return `${quoted(typed)} is not an e-mail address: it has no @.`
  if (/\s/.test(typed)) return `${quoted(typed)} is not an e-mail address: it has a space in it.`
  return `${quoted(typed)} is not a complete e-mail address.`
}

type CheckedSchema = { _zod?: { def?: { checks?: { _zod?: { def?: { format?: unknown } } }[] } } }

/** Whether the number schema that raised the issue takes integers only (`.int()` adds a check of that format). */
function wholeNumbersOnly(issue: z.core.$ZodRawIssue): boolean {
  const checks = (issue.inst as CheckedSchema | undefined)?._zod?.def?.checks ?? []
  return checks.some((check) => String(check._zod?.def?.format ?? '').includes('int'))
}

/**
 * A written sentence for every issue a schema can raise: zod's own texts ("Too big: expected
 * string to have <=200 characters") are for developers, and a schema without a message of its
 * own (the domain's among them) would otherwise show them on a form. Messages a schema writes
 * itself still win.
 */
export function formIssueMessage(issue: z.core.$ZodRawIssue): string {
  const key = fieldKey(issue.path)
  const label = fieldLabel(key)
  const Label = capitalised(label)
  // Numbers behind a select (folder, assignee, tag...) are never typed: ask for a choice.
  const chosen = /(^i|I)ds?$/.test(key) || key === 'moveTo'
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined || issue.input === null) return `${Label} is missing.`
      if (chosen) return `Choose ${label} from the list.`
      if (issue.expected === 'int' || issue.expected === 'bigint' || (issue.expected === 'number' && wholeNumbersOnly(issue)))
        return `${Label} must be a whole number.`
      if (issue.expected === 'number') return `${Label} must be a number.`
      if (issue.expected === 'string') return `${Label} must be given once, as text.`
      if (issue.expected === 'boolean') return `${Label} must be on or off.`
      if (issue.expected === 'array') return `${Label} must be a list.`
      return `${Label} could not be read.`
    case 'too_big': {
      const most = issue.inclusive === false ? Number(issue.maximum) - 1 : issue.maximum
      if (issue.origin === 'string') return `${Label} is too long: use at most ${count(most)} characters.`
      if (issue.origin === 'array' || issue.origin === 'set') return `Choose at most ${count(most)} of ${label}.`
      if (chosen) return `Choose ${label} from the list.`
      if (issue.origin === 'number' || issue.origin === 'int') return `${Label} must be at most ${count(most)}.`
      return `${Label} is too large.`
    }
    case 'too_small': {
      const least = issue.inclusive === false ? Number(issue.minimum) + 1 : issue.minimum
      if (issue.origin === 'string') return Number(least) <= 1 ? `Fill in ${label}.` : `${Label} is too short: use at least ${count(least)} characters.`
      if (issue.origin === 'array' || issue.origin === 'set')
        return Number(least) <= 1 ? `Choose at least one of ${label}.` : `Choose at least ${count(least)} of ${label}.`
      if (chosen) return `Choose ${label} from the list.`
      if (issue.origin === 'number' || issue.origin === 'int') return `${Label} must be at least ${count(least)}.`
      return `${Label} is too small.`
    }
    case 'invalid_format':
      if (issue.format === 'email') return emailAddressProblem(issue.input, label === 'the form' ? undefined : label)
      if (issue.format === 'url') return `${Label} is not a web address.`
      return `${Label} is not written the way it should be.`
    case 'invalid_value':
      return key === '_' ? 'Choose one of the options offered.' : `Choose ${label} from the list.`
    case 'not_multiple_of':
      return `${Label} must be a multiple of ${count(issue.divisor as number)}.`
    case 'unrecognized_keys':
      return 'The form holds fields the help desk does not know.'
    default:
      return `${Label} could not be read.`
  }
}

// For the whole process, as soon as the web layer is loaded: the commands' schemas are parsed
// in the same process, and what they refuse reaches the forms as well.
z.config({ customError: formIssueMessage })

interface Answer {
  status: number
  title: string
  message: string
}

/** Messages as one paragraph, whether or not each already ends with a full stop. */
const sentences = (messages: string[]) => [...new Set(messages.map((m) => m.trim().replace(/\.+$/, '')).filter(Boolean))].join('. ') + '.'

function answerFor(err: unknown): Answer | null {
  // A form or query that does not fit its schema is the sender's mistake, not a server failure.
  if (err instanceof ZodError) return answerFor(fromZodError(err, 'The form could not be read'))
  if (err instanceof NotFoundError)
    return {
      status: 404,
      title: 'Page not found',
      message: err.message === 'Not found' ? 'There is nothing here. It may have been moved, or you may not have access to it.' : err.message,
    }
  if (err instanceof ForbiddenError) return { status: 403, title: 'Not allowed', message: err.message }
  if (err instanceof ValidationError) return { status: 400, title: 'Please check your input', message: sentences([err.message, ...Object.values(err.fields)]) }
  if (err instanceof ConflictError) return { status: 409, title: 'Already done', message: err.message }
  if (err === invalidCsrfTokenError)
    return { status: 403, title: 'This form has expired', message: 'For your safety the form could not be sent. Reload the page and try again.' }
  const e = err as { type?: string; status?: number }
  if (e?.type === 'entity.too.large') return { status: 413, title: 'Too large', message: 'What you sent is larger than the help desk accepts.' }
  if (e?.type === 'entity.parse.failed' || e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') {
    return { status: 400, title: 'Malformed request', message: 'The request could not be read.' }
  }
  if (isDatabaseUnavailable(err))
    return {
      status: 503,
      title: 'Temporarily unavailable',
      message:
        'The help desk cannot reach its database for the moment. Try again in a minute; if you were sending something, check afterwards whether it arrived.',
    }
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500)
    return { status: e.status, title: 'Request refused', message: 'The request could not be handled.' }
  return null
}

/** When a client should try again after the database went away (most outages are restarts). */
const RETRY_AFTER_SECONDS = 30

export function notFound(_req: Request, _res: Response, next: NextFunction) {
  next(new NotFoundError())
}

/** The one place errors become HTTP answers; the page never shows internals, the log has them. */
export function errorHandler(err: unknown, req: Request, res: Response, _next: NextFunction) {
  const known = answerFor(err)
  const answer = known ?? { status: 500, title: 'Something went wrong', message: 'The error was recorded. Try again in a moment.' }
  if (!known) req.log?.error({ err }, 'request failed')
  else if (answer.status >= 400 && answer.status !== 404) req.log?.info({ status: answer.status, reason: (err as Error)?.message }, 'request refused')
  if (res.headersSent) return res.end()
  res.status(answer.status)
  if (answer.status === 503) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS))
  if (req.accepts(['html', 'json']) === 'json') return res.json({ error: answer.message })
  res.render('errors/error', { ...answer, title: answer.title })
}
