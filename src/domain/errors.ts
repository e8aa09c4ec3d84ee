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

export function fromZodError(error: ZodError, message = 'Please check the highlighted fields'): ValidationError {
  const fields: Record<string, string> = {}
  for (const issue of error.issues) {
    const key = issue.path.join('.') || '_'
    fields[key] ??= issue.message
  }
  return new ValidationError(message, fields)
}

/** The opening of every command: its input, validated, or a ValidationError naming the fields. */
export function parseInput<S extends ZodType>(schema: S, input: unknown): output<S> {
  const parsed = schema.safeParse(input)
  if (!parsed.success) throw fromZodError(parsed.error)
  return parsed.data
}
