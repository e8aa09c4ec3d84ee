import type { NextFunction, Request, Response } from 'express'
import { csrfSync } from 'csrf-sync'

// Synchroniser tokens kept in the session; forms send `_csrf`, scripts the X-CSRF-Token header.
const { csrfSynchronisedProtection, generateToken, invalidCsrfTokenError } = csrfSync({
  // 256 random bits (the library's default is 1,024): as safe, and a conversation page carries the
  // token in every one of its seventeen forms.
  size: 32,
  getTokenFromRequest: (req) => {
    const fromBody = (req.body as Record<string, unknown> | undefined)?._csrf
    return typeof fromBody === 'string' ? fromBody : (req.headers['x-csrf-token'] as string | undefined)
  },
})

export { invalidCsrfTokenError }

export function csrfProtection(req: Request, res: Response, next: NextFunction) {
  csrfSynchronisedProtection(req, res, (err?: unknown) => {
    if (err) return next(err)
    res.locals.csrfToken = generateToken(req)
    next()
  })
}

/** After the session id changes (sign-in), the form token must be issued anew. */
export function refreshCsrfToken(req: Request) {
  return generateToken(req, true)
}
