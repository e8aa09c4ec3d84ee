import type { NextFunction, Request, Response } from 'express'
import { DomainError } from '../../domain/errors.ts'
import type { MessageKey, MessageValues } from '../../i18n/translate.ts'

type Kind = 'success' | 'error' | 'info'

/**
 * How to take a change back: a POST of `fields` to `action`. The flash renders it as a small
 * "Undo" form; scripts hand the same descriptor to the toast (public/js/toast.js).
 */
export interface Undo {
  action: string
  fields: Record<string, string>
}

/** One message carried to the next page (post/redirect/get), translated when it is shown; with an Undo form when given one. */
export function flash(req: Request, kind: Kind, key: MessageKey, values?: MessageValues, options: { undo?: Undo | null } = {}) {
  req.session.flash = { kind, key, values, ...(options.undo ? { undo: options.undo } : {}) }
}

/** A refused command's own message, carried to the next page. */
export function flashError(req: Request, err: DomainError) {
  flash(req, 'error', err.key, err.values)
}

/**
 * The message is taken when a page is rendered, so it survives redirects on the way. Fragments
 * (views under partials/, fetched by scripts while the agent works) leave it: a thread refreshed by
 * a live event between a post and its redirect would otherwise swallow the confirmation. A redirect
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
    if (carried && !String(args[0]).startsWith('partials/')) {
      res.locals.flash = { kind: carried.kind, message: req.t(carried.key, carried.values), undo: carried.undo ?? null }
      delete req.session.flash
    }
    render(...args)
  }) as Response['render']
  next()
}
