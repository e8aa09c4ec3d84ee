import type { DomainError, ValidationError } from '../domain/errors.ts'
import { messageText } from '../i18n/issueMessages.ts'
import type { Message, Translate } from '../i18n/translate.ts'

/** A message of the domain in the reader's language (a field's label put into its sentence). */
export const say = (t: Translate, message: Message) => messageText(t, message)

/** A refused command's own sentence, in the reader's language. */
export const errorText = (t: Translate, err: DomainError) => messageText(t, { key: err.key, values: err.values })

/** A form's field messages (field → message), in the reader's language, for the views. */
export function fieldMessages(t: Translate, fields: ValidationError['fields']): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).map(([field, message]) => [field, say(t, message)]))
}

/** The first field's message, else the error's own: for a form shown as a single line. */
export function firstProblem(t: Translate, err: ValidationError): string {
  const first = Object.values(err.fields)[0]
  return first ? say(t, first) : errorText(t, err)
}
