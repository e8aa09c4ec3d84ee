import type { NextFunction, Request, Response } from 'express'
import { DomainError } from '../../domain/errors.ts'
import type { MessageKey, MessageValues } from '../../i18n/translate.ts'

type Kind = 'success' | 'error' | 'info'

/** One message carried to the next page (post/redirect/get), translated when it is shown. */
export function flash(req: Request, kind: Kind, key: MessageKey, values?: MessageValues) {
  req.session.flash = { kind, key, values }
}

/** A refused command's own message, carried to the next page. */
export function flashError(req: Request, err: DomainError) {
  flash(req, 'error', err.key, err.values)
}

/**
 * The message is taken when a page is rendered, so it survives redirects on the way. A redirect
 * waits for the session to be saved: express-session would otherwise write it after the 303 is
 * out, and a fast browser could load the next page from the old session.
 */
export function exposeFlash(req: Request, res: Response, next: NextFunction) {
  const redirect = res.redirect.bind(res) as (...args: unknown[]) => void
  res.redirect = ((...args: unknown[]) => {
    if (!req.session) return redirect(...args)
    req.session.save((err) => (err ? next(err) : redirect(...args)))
  }) as Response['redirect']
  const render = res.render.bind(res) as (...args: unknown[]) => void
  res.render = ((...args: unknown[]) => {
    const carried = req.session?.flash
    if (carried) {
      res.locals.flash = { kind: carried.kind, message: req.t(carried.key, carried.values) }
      delete req.session.flash
    }
    render(...args)
  }) as Response['render']
  next()
}
