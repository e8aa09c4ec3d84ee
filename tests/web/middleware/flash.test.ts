import type { NextFunction, Request, Response } from 'express'
import { describe, expect, it } from 'vitest'
import { exposeFlash, flash } from '../../../src/web/middleware/flash.ts'
import { translator } from '../../../src/i18n/translate.ts'

/** A request with a session, and a response whose render records the locals it was given. */
function exchange(locale = 'en') {
  const req = { session: {}, t: translator(locale) } as unknown as Request
  const rendered: unknown[] = []
  const res = { locals: {} as Record<string, unknown>, render: () => rendered.push(res.locals.flash), redirect: () => {} } as unknown as Response & {
    locals: Record<string, unknown>
  }
  exposeFlash(req, res, (() => {}) as NextFunction)
  return { req, res, rendered }
}

describe('flash messages', () => {
  it('carry a message to the next page once, translated when shown', () => {
    const { req, res, rendered } = exchange('fr')
    flash(req, 'success', 'conversation.replySent')
    res.render('page')
    res.render('page')
    expect(rendered[0]).toEqual({ kind: 'success', message: 'Réponse envoyée.', undo: null })
    expect(req.session.flash).toBeUndefined()
  })

  it('carry an Undo: the address and the fields its form posts', () => {
    const { req, res, rendered } = exchange()
    const undo = { action: '/conversations/12/status', fields: { status: 'open', undoing: '1' } }
    flash(req, 'success', 'conversation.sidebar.statusSet', { status: 'Closed' }, { undo })
    res.render('page')
    expect(rendered[0]).toEqual({ kind: 'success', message: 'Status set to Closed.', undo })
  })

  it('stay for the page when a fragment is rendered first (a live refresh between a post and its redirect)', () => {
    const { req, res, rendered } = exchange()
    flash(req, 'success', 'conversation.replySent')
    res.render('partials/thread')
    expect(rendered[0]).toBeUndefined()
    res.render('agent/conversation')
    expect(rendered[1]).toEqual({ kind: 'success', message: 'Reply sent.', undo: null })
  })
})
