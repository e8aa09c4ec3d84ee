import { asCustomer, SYSTEM } from '../../domain/actor.ts'
import { Router, type Request } from 'express'
import { ipKeyGenerator } from 'express-rate-limit'
import { z } from 'zod'
import { addCustomerMessage } from '../../domain/conversations/commands/addCustomerMessage.ts'
import { recordCustomerAnswer, type AnswerOutcome } from '../../domain/conversations/commands/recordCustomerAnswer.ts'
import { startCustomerConversation } from '../../domain/conversations/commands/startCustomerConversation.ts'
import { replaceImageSources } from '../../domain/content/index.ts'
import { NotFoundError, ValidationError } from '../../domain/errors.ts'
import { ensureDefaultFolder } from '../../domain/folders/defaultFolder.ts'
import { findConversationCustomer, findCustomerAttachment, getCustomerView } from '../../domain/portal/customerView.ts'
import { customerToken, verifyCustomerToken, type LinkPurpose } from '../../mail/customerLinks.ts'
import type { AppContext } from '../context.ts'
import { flash } from '../middleware/flash.ts'
import { sharedRateLimit } from '../middleware/sharedRateLimit.ts'
import { uploadedFiles } from '../middleware/uploads.ts'
import { sendAttachment } from '../sendAttachment.ts'
import { formatBytes } from '../../domain/conversations/messageBody.ts'

const STATUS_WORDS = {
  new: { title: 'Received', text: 'We have your request; nobody has handled it yet. We will answer you by e-mail.' },
  pending: { title: 'Answered: waiting for you', text: 'We answered you. Tell us whether that solved it, or reply with what you still need.' },
  open: { title: 'With us', text: 'Your latest answer is with us; we will come back to you.' },
  closed: { title: 'Resolved', text: 'This request is closed. If you still need help, write below and we will look at it again.' },
} as const

const ANSWER_PAGES: Record<AnswerOutcome, { title: string; text: string }> = {
  closed: { title: 'Thank you!', text: 'We are glad it is solved. Your request is now closed.' },
  'already-closed': { title: 'Already closed', text: 'This request was already closed. Thank you for letting us know.' },
  reopened: { title: 'We are on it', text: 'Your request is back with our team; we will answer you by e-mail.' },
  'already-open': { title: 'We are on it', text: 'Your request is already with our team; we will answer you by e-mail.' },
  'too-late': { title: 'This request was closed a while ago', text: 'Please write to us again: a new request reaches the team right away.' },
}

const contactForm = z.object({
  name: z.string().trim().max(200).default(''),
  email: z.email('Enter your e-mail address so we can answer you').trim().toLowerCase().max(254),
  subject: z.string().trim().min(1, 'Tell us what it is about').max(300),
  message: z.string().trim().min(1, 'Write your message').max(100_000),
  /** Left empty by people; filled by form-filling robots. */
  website: z.string().max(0).optional().catch('robot'),
})

const str = (v: unknown) => (typeof v === 'string' ? v : '')

/** Pages for customers: the status page, the reminder answers, the contact form. No login. */
export function portalRouter(ctx: AppContext): Router {
  const router = Router()
  const { prisma } = ctx.db
  // Counted in the database, shared by every instance; refused (503) when it cannot be reached.
  const limit = (name: string, windowMinutes: number, max: number) =>
    sharedRateLimit(
      { db: ctx.db, logger: ctx.logger },
      { name, windowMs: windowMinutes * 60_000, limit: max, keyGenerator: (req) => ipKeyGenerator(req.ip ?? '') },
    )
  const contactLimiter = limit('contact', 60, 5)
  const customerPostLimiter = limit('customer-posts', 15, 30)

  function conversationFrom(req: Request, purpose: LinkPurpose): number {
    const id = verifyCustomerToken(ctx.mail.secret, purpose, str(req.params.token))
    if (id === null) throw new NotFoundError('This link is not valid. Use the most recent e-mail we sent you.')
    return id
  }

  async function renderStatus(req: Request, res: import('express').Response, status: number, values: { message?: string; error?: string | null } = {}) {
    const id = conversationFrom(req, 'status')
    const view = await getCustomerView(prisma, id)
    const base = `/s/${customerToken(ctx.mail.secret, 'status', id)}`
    const words = STATUS_WORDS[view.status]
    res.status(status).render('portal/status', {
      title: `Request #${view.number}`,
      base,
      conversation: { number: view.number, subject: view.subject, status: view.status, words },
      messages: view.messages.map((m) => ({
        mine: m.kind === 'customer',
        author: m.kind === 'customer' ? 'You' : (m.author?.name ?? 'Support'),
        at: m.createdAt.toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
        iso: m.createdAt.toISOString(),
        // Inline images point at the agents' route; the customer fetches them through this link.
        html: replaceImageSources(m.bodyHtml, (src) => {
          const match = /^\/attachments\/(\d+)/.exec(src)
          return match ? `${base}/attachments/${match[1]}` : null
        }),
        files: m.attachments.filter((a) => !a.inline).map((a) => ({ name: a.fileName, size: formatBytes(a.size), href: `${base}/attachments/${a.id}` })),
      })),
      values: { message: values.message ?? '' },
      error: values.error ?? null,
    })
  }

  router.get('/s/:token', (req, res) => renderStatus(req, res, 200))

  router.get('/s/:token/attachments/:id', async (req, res) => {
    const id = conversationFrom(req, 'status')
    const attachmentId = Number(req.params.id)
    if (!Number.isInteger(attachmentId) || attachmentId <= 0 || attachmentId > 2_147_483_647) throw new NotFoundError()
    const { attachment, data } = await findCustomerAttachment(prisma, id, attachmentId)
    sendAttachment(res, attachment, data, false)
  })

  router.post('/s/:token/messages', customerPostLimiter, async (req, res) => {
    const id = conversationFrom(req, 'status')
    const message = str(req.body?.message)
    if (req.uploadError) return renderStatus(req, res, 413, { message, error: req.uploadError })
    const customerId = await findConversationCustomer(prisma, id)
    try {
      const result = await addCustomerMessage(ctx.domain, asCustomer(customerId), { conversationId: id, text: message, files: uploadedFiles(req) })
      if (result.followUpOf !== null) {
        flash(req, 'success', 'Thank you. As this request was closed a while ago, your message opened a new one.')
        return res.redirect(303, `/s/${customerToken(ctx.mail.secret, 'status', result.conversation.id)}`)
      }
      flash(req, 'success', 'Thank you, your message is with our team.')
      res.redirect(303, `/s/${str(req.params.token)}`)
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err
      return renderStatus(req, res, 400, { message, error: Object.values(err.fields)[0] ?? err.message })
    }
  })

  router.post('/s/:token/resolved', customerPostLimiter, async (req, res) => {
    const id = conversationFrom(req, 'status')
    await recordCustomerAnswer(ctx.domain, asCustomer(await findConversationCustomer(prisma, id)), { conversationId: id, answer: 'solved' })
    flash(req, 'success', 'Thank you! We are glad it is solved; your request is closed.')
    res.redirect(303, `/s/${str(req.params.token)}`)
  })

  // Reminder links: the GET only shows a button, because mail scanners open links by themselves.
  router.get('/r/:answer/:token', async (req, res) => {
    const answer = req.params.answer === 'solved' ? 'solved' : req.params.answer === 'not-solved' ? 'not-solved' : null
    if (!answer) throw new NotFoundError()
    const id = conversationFrom(req, answer)
    const view = await getCustomerView(prisma, id)
    res.render('portal/answer', {
      title: answer === 'solved' ? 'Is it solved?' : 'Still need help?',
      answer,
      conversation: { number: view.number, subject: view.subject },
      done: null,
    })
  })

  router.post('/r/:answer/:token', customerPostLimiter, async (req, res) => {
    const answer = req.params.answer === 'solved' ? 'solved' : req.params.answer === 'not-solved' ? 'not-solved' : null
    if (!answer) throw new NotFoundError()
    const id = conversationFrom(req, answer)
    const { outcome, number } = await recordCustomerAnswer(ctx.domain, asCustomer(await findConversationCustomer(prisma, id)), { conversationId: id, answer })
    const page = ANSWER_PAGES[outcome]
    res.render('portal/answer', {
      title: page.title,
      answer,
      conversation: { number },
      done: { ...page, statusHref: `/s/${customerToken(ctx.mail.secret, 'status', id)}`, contactHref: outcome === 'too-late' ? '/contact' : null },
    })
  })

  router.get('/contact', (_req, res) => {
    res.render('portal/contact', { title: 'Contact us', values: {}, errors: {}, sent: null })
  })

  router.post('/contact', contactLimiter, async (req, res) => {
    const values = { name: str(req.body?.name), email: str(req.body?.email), subject: str(req.body?.subject), message: str(req.body?.message) }
    if (req.uploadError) return res.status(413).render('portal/contact', { title: 'Contact us', values, errors: { files: req.uploadError }, sent: null })
    const parsed = contactForm.safeParse(req.body ?? {})
    if (!parsed.success) {
      const errors: Record<string, string> = {}
      for (const issue of parsed.error.issues) errors[String(issue.path[0])] ??= issue.message
      return res.status(400).render('portal/contact', { title: 'Contact us', values, errors, sent: null })
    }
    const form = parsed.data
    // A robot filled the hidden field: answer as if all went well and keep nothing.
    if (form.website === 'robot' || str(req.body?.website) !== '')
      return res.render('portal/contact', { title: 'Contact us', values: {}, errors: {}, sent: { email: form.email } })
    try {
      const folder = await ensureDefaultFolder(prisma)
      await startCustomerConversation(ctx.domain, SYSTEM, {
        customerEmail: form.email,
        customerName: form.name,
        subject: form.subject,
        folderId: folder.id,
        channel: 'portal',
        text: form.message,
        files: uploadedFiles(req),
        acknowledge: true,
      })
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err
      return res
        .status(400)
        .render('portal/contact', { title: 'Contact us', values, errors: { files: Object.values(err.fields)[0] ?? err.message }, sent: null })
    }
    res.render('portal/contact', { title: 'Contact us', values: {}, errors: {}, sent: { email: form.email } })
  })

  return router
}
