import type { NextFunction, Request, Response } from 'express'

type Kind = 'success' | 'error' | 'info'

/** One message carried to the next page (post/redirect/get). */
export function flash(req: Request, kind: Kind, message: string) {
  req.session.flash = { kind, message }
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
    if (req.session?.flash) {
      res.locals.flash = req.session.flash
      delete req.session.flash
    }
    render(...args)
  }) as Response['render']
  next()
}
