import 'express-session'
import type { Actor } from '../domain/actor.ts'
import type { Formats } from '../i18n/format.ts'
import type { MessageKey, MessageValues, Translate } from '../i18n/translate.ts'
import type { Undo } from './middleware/flash.ts'

declare module 'express-session' {
  interface SessionData {
    agentId?: number
    /** A key and its values: translated when shown, in the reader's language. */
    flash?: { kind: 'success' | 'error' | 'info'; key: MessageKey; values?: MessageValues; undo?: Undo }
  }
}

declare global {
  namespace Express {
    interface Request {
      agent?: Actor
      /** The reader's language, its translator and its date and number formats (chooseLanguage). */
      locale: string
      t: Translate
      formats: Formats
    }
  }
}
