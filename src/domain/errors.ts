// Typed domain errors; the web layer maps them to HTTP answers in one place.
import type { Message, MessageKey, MessageValues } from '../i18n/translate.ts'
export class DomainError extends Error {
  override name = 'DomainError'
  /** A catalogue key and its values: the web shows it in the reader's language. */
  constructor(
    readonly key: MessageKey,
    readonly values?: MessageValues,
  ) {
    super(key)
  }
}

/** Also used when the actor may not see the thing: the answer must not reveal that it exists. */
export class NotFoundError extends DomainError {
  override name = 'NotFoundError'
  constructor(key: MessageKey = 'error.notFound', values?: MessageValues) {
    super(key, values)
  }
}

export class ForbiddenError extends DomainError {
  override name = 'ForbiddenError'
  constructor(key: MessageKey = 'error.forbidden', values?: MessageValues) {
    super(key, values)
  }
}

export class ConflictError extends DomainError {
  override name = 'ConflictError'
}

export class ValidationError extends DomainError {
  override name = 'ValidationError'
  constructor(
    key: MessageKey,
    /** Field name → message, for forms. */
    readonly fields: Record<string, Message> = {},
    values?: MessageValues,
  ) {
    super(key, values)
  }
}

import type { ZodError, ZodType, output } from 'zod'
import { decodeMessage, fieldOf } from '../i18n/issueMessages.ts'

/** What a zod issue says, as a message of the catalogues (zod's messages carry one, see src/i18n/issueMessages.ts). */
export function issueMessage(issue: { message: string; path: readonly PropertyKey[] }): Message {
  return decodeMessage(issue.message, fieldOf(issue.path))
}

export function fromZodError(error: ZodError, key: MessageKey = 'validation.checkFields'): ValidationError {
  const fields: Record<string, Message> = {}
  for (const issue of error.issues) {
    const name = issue.path.join('.') || '_'
    fields[name] ??= issueMessage(issue)
  }
  return new ValidationError(key, fields)
}

/** The opening of every command: its input, validated, or a ValidationError naming the fields. */
export function parseInput<S extends ZodType>(schema: S, input: unknown): output<S> {
  const parsed = schema.safeParse(input)
  if (!parsed.success) throw fromZodError(parsed.error)
  return parsed.data
}

/** A change asked on a version of the thing that is no longer the current one (If-Match). */
export class PreconditionFailedError extends DomainError {
  override name = 'PreconditionFailedError'
  constructor(key: MessageKey = 'error.staleVersion', values?: MessageValues) {
    super(key, values)
  }
}
