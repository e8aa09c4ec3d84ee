import type { NextFunction, Request, Response } from 'express'
import { isLocale, LOCALES, REFERENCE_LOCALE } from '../../i18n/catalogues.ts'
import { formats } from '../../i18n/format.ts'
import { translator } from '../../i18n/translate.ts'
import { CLIENT_TEXTS_PATH, clientTexts } from '../../i18n/clientMessages.ts'

/**
 * Every page speaks its reader's language: a signed-in agent's own (profile), else the browser's
 * Accept-Language among the catalogues, else the reference language. Pages about a conversation
 * (status, one-click answers) switch to the conversation's language with `useLanguage`.
 */
export function chooseLanguage(req: Request, res: Response, next: NextFunction) {
  const agent = req.agent
  const locale = agent && isLocale(agent.locale) ? agent.locale : browserLanguage(req)
  useLanguage(req, res, locale, agent?.timeZone ?? 'UTC')
  next()
}

export function browserLanguage(req: Request): string {
  const accepted = req.acceptsLanguages(...LOCALES)
  return isLocale(accepted) ? accepted : REFERENCE_LOCALE
}

export function useLanguage(req: Request, res: Response, locale: string, timeZone: string) {
  req.locale = locale
  req.t = translator(locale)
  req.formats = formats(locale, timeZone)
  res.locals.locale = locale
  res.locals.t = req.t
  res.locals.fmt = req.formats
  // Where head.ejs loads the client.* texts for public/js from (a file per language, cached for good).
  res.locals.clientTextsSrc = CLIENT_TEXTS_PATH + clientTexts(locale).file
}
