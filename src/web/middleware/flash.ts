import type { NextFunction, Request, Response } from 'express'

type Kind = 'success' | 'error' | 'info'

/** One message carried to the next page (post/redirect/get). */
export function flash(req: Request, kind: Kind, message: string) {
  req.session.flash = { kind, message }
}

export function exposeFlash(req: Request, res: Response, next: NextFunction) {
  res.locals.flash = req.session?.flash
  if (req.session?.flash) delete req.session.flash
  next()
}
