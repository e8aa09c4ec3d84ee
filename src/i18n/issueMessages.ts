import { z } from 'zod'
import { isMessageKey, type Message, type MessageKey, type MessageValues, type Translate } from './translate.ts'

// What a zod schema says about a value it refuses, in no language: a schema is parsed in the
// domain, where there is no reader. Each issue's message is a catalogue key with its values,
// written into the message text (zod's messages are strings); the web layer reads it back with
// `decodeMessage` and translates it with `messageText` in the reader's language.

/** Starts an issue message that carries a key and its values as JSON (a character no schema message starts with). */
const MARK = '\u241e'

/** A message for a zod issue: `.max(80, schemaMessage('validation.useAtMost', { max: 80 }))`. A key alone may be given as is. */
export function schemaMessage(key: MessageKey, values?: MessageValues): string {
  return MARK + JSON.stringify(values ? { key, values } : { key })
}

/** The form field an issue is about: the first name in its path (an index of a list, the language of a text per language belong to it). */
export const fieldOf = (path: readonly PropertyKey[] | undefined): string => (path ?? []).find((p): p is string => typeof p === 'string') ?? '_'

/**
 * An issue message read back: an encoded message, a schema's own message when it is a catalogue
 * key, and anything else (zod's English, a stray text) as the field's generic "could not be read".
 */
export function decodeMessage(text: string, field = '_'): Message {
  if (text.startsWith(MARK)) {
    try {
      const parsed = JSON.parse(text.slice(MARK.length)) as { key?: unknown; values?: MessageValues }
      if (typeof parsed.key === 'string' && isMessageKey(parsed.key)) return parsed.values ? { key: parsed.key, values: parsed.values } : { key: parsed.key }
    } catch {
      // Not one of ours after all: the generic message below.
    }
  }
  if (isMessageKey(text)) return { key: text }
  return { key: 'validation.unreadable', values: { field } }
}

/** A field's name spelled out, for a field without a label of its own ("attachmentMaxMegabytes" → "attachment max megabytes"). */
function spelledOut(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/ ids?$/, '')
}

/** How a sentence names a field: its label (`field.<name>`), else its name spelled out. */
export function fieldLabel(t: Translate, name: string): string {
  const key = `field.${name}`
  return isMessageKey(key) ? t(key) : t('field.other', { words: spelledOut(name) })
}

/**
 * A message in the reader's language. The validation messages name their field (`{field}`, given
 * as the field's name): it is replaced by the field's label, capitalised when the sentence starts
 * with it ("The subject is missing." / « Le nom : 200 caractères au plus. »).
 */
export function messageText(t: Translate, message: Message): string {
  const field = message.values?.field
  if (typeof field !== 'string' || !message.key.startsWith('validation.')) return t(message.key, message.values)
  const label = fieldLabel(t, field)
  const text = t(message.key, { ...message.values, field: label })
  return text.startsWith(label) ? label.charAt(0).toLocaleUpperCase() + text.slice(1) : text
}

type CheckedSchema = { _zod?: { def?: { checks?: { _zod?: { def?: { format?: unknown } } }[] } } }

/** Whether the number schema that raised the issue takes integers only (`.int()` adds a check of that format). */
function wholeNumbersOnly(issue: z.core.$ZodRawIssue): boolean {
  const checks = (issue.inst as CheckedSchema | undefined)?._zod?.def?.checks ?? []
  return checks.some((check) => String(check._zod?.def?.format ?? '').includes('int'))
}

/** A typed value quoted back in a message: never the whole of a long one. */
export function typedValue(value: unknown): string {
  const s = String(value)
  return s.length > 60 ? `${s.slice(0, 59)}…` : s
}

/** What is wrong with a typed e-mail address, quoting it; `field` names the field when it is empty. */
export function emailAddressProblem(input: unknown, field = 'email'): string {
  const typed = typeof input === 'string' ? input.trim() : ''
  if (typed === '') return schemaMessage('validation.enterEmail', { field })
  if (!typed.includes('@')) return schemaMessage('validation.emailNoAt', { typed: typedValue(typed) })
  if (/\s/.test(typed)) return schemaMessage('validation.emailSpace', { typed: typedValue(typed) })
  return schemaMessage('validation.emailIncomplete', { typed: typedValue(typed) })
}

const limit = (n: unknown) => Number(n)

/**
 * The message of every issue a schema can raise without a message of its own: zod's own texts
 * ("Too big: expected string to have <=200 characters") are for developers and would reach the
 * forms. Numbers behind a select (folder, assignee, tag...) are never typed: those ask for a choice.
 */
export function issueMessage(issue: z.core.$ZodRawIssue): string {
  const field = fieldOf(issue.path)
  const say = (key: MessageKey, values?: MessageValues) => schemaMessage(key, { field, ...values })
  const chosen = /(^i|I)ds?$/.test(field) || field === 'moveTo'
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined || issue.input === null) return say('validation.missing')
      if (chosen) return say('validation.chooseFromList')
      if (issue.expected === 'int' || issue.expected === 'bigint' || (issue.expected === 'number' && wholeNumbersOnly(issue)))
        return say('validation.wholeNumber')
      if (issue.expected === 'number') return say('validation.number')
      if (issue.expected === 'string') return say('validation.text')
      if (issue.expected === 'boolean') return say('validation.onOff')
      if (issue.expected === 'array') return say('validation.list')
      return say('validation.unreadable')
    case 'too_big': {
      const most = issue.inclusive === false ? limit(issue.maximum) - 1 : limit(issue.maximum)
      if (issue.origin === 'string') return say('validation.tooLong', { max: most })
      if (issue.origin === 'array' || issue.origin === 'set') return say('validation.tooManyChosen', { max: most })
      if (chosen) return say('validation.chooseFromList')
      if (issue.origin === 'number' || issue.origin === 'int') return say('validation.atMost', { max: most })
      return say('validation.tooLarge')
    }
    case 'too_small': {
      const least = issue.inclusive === false ? limit(issue.minimum) + 1 : limit(issue.minimum)
      if (issue.origin === 'string') return least <= 1 ? say('validation.fillIn') : say('validation.tooShort', { min: least })
      if (issue.origin === 'array' || issue.origin === 'set')
        return least <= 1 ? say('validation.chooseAtLeastOne') : say('validation.tooFewChosen', { min: least })
      if (chosen) return say('validation.chooseFromList')
      if (issue.origin === 'number' || issue.origin === 'int') return say('validation.atLeast', { min: least })
      return say('validation.tooSmall')
    }
    case 'invalid_format':
      if (issue.format === 'email') return emailAddressProblem(issue.input, field === '_' ? 'email' : field)
      if (issue.format === 'url') return say('validation.notUrl')
      return say('validation.badFormat')
    case 'invalid_value':
      return field === '_' ? schemaMessage('validation.chooseOption') : say('validation.chooseFromList')
    case 'not_multiple_of':
      return say('validation.multipleOf', { divisor: limit(issue.divisor) })
    case 'unrecognized_keys':
      return schemaMessage('validation.unknownFields')
    default:
      return say('validation.unreadable')
  }
}

// For the whole process, as soon as this module is loaded (src/domain/errors.ts imports it):
// wherever a schema is parsed, what it refuses is a message of the catalogues.
z.config({ customError: issueMessage })
