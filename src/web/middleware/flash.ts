import type { NextFunction, Request, Response } from 'express'

type Kind = 'success' | 'error' | 'info'

/** One message carried to the next page (post/redirect/get). */
export function flash(req: Request, kind: Kind, message: string) {
  req.session.flash = { kind, message }
}

/** The message is taken when a page is rendered, so it survives redirects on the way. */
export function exposeFlash(req: Request, res: Response, next: NextFunction) {
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
