import { asCustomer, SYSTEM } from '../../domain/actor.ts'
import { Router, type Request, type Response } from 'express'
import { ipKeyGenerator } from 'express-rate-limit'
import { z } from 'zod'
import { addCustomerMessage } from '../../domain/conversations/commands/addCustomerMessage.ts'
import { recordCustomerAnswer, type AnswerOutcome } from '../../domain/conversations/commands/recordCustomerAnswer.ts'
import { startCustomerConversation } from '../../domain/conversations/commands/startCustomerConversation.ts'
import { replaceImageSources } from '../../domain/content/index.ts'
import { fromZodError, NotFoundError, ValidationError } from '../../domain/errors.ts'
import { ensureDefaultFolder } from '../../domain/folders/defaultFolder.ts'
import { findConversationCustomer, findCustomerAttachment, getCustomerView } from '../../domain/portal/customerView.ts'
import { survivingConversationId } from '../../domain/conversations/merged.ts'
import { isLocale, LOCALES } from '../../i18n/catalogues.ts'
import { isMessageKey, type Message, type MessageKey } from '../../i18n/translate.ts'
import { customerToken, verifyCustomerToken, type LinkPurpose } from '../../mail/customerLinks.ts'
import { findConversationLanguage } from '../../mail/outbound/language.ts'
import { richTranslator } from '../../mail/outbound/richText.ts'
import type { AppContext } from '../context.ts'
import { fieldMessages, firstProblem, say } from '../messages.ts'
import { flash } from '../middleware/flash.ts'
import { useLanguage } from '../middleware/language.ts'
import { sharedRateLimit } from '../middleware/sharedRateLimit.ts'
import { uploadedFiles } from '../middleware/uploads.ts'
import { sendAttachment } from '../sendAttachment.ts'
import { sizeValues } from '../../domain/content/byteSize.ts'
import { isRatingValue, RATING_COMMENT_MAX, RATING_VALUES, recordRating, type RatingValue } from '../../domain/ratings/recordRating.ts'
import { findRating, type ConversationRating } from '../../domain/ratings/ratingQueries.ts'

type Words = { title: MessageKey; text: MessageKey }

const STATUS_WORDS = {
  new: { title: 'portal.status.new.title', text: 'portal.status.new.text' },
  pending: { title: 'portal.status.pending.title', text: 'portal.status.pending.text' },
  open: { title: 'portal.status.open.title', text: 'portal.status.open.text' },
  closed: { title: 'portal.status.closed.title', text: 'portal.status.closed.text' },
} as const satisfies Record<string, Words>

const ANSWER_PAGES: Record<AnswerOutcome, Words> = {
  closed: { title: 'portal.answer.closed.title', text: 'portal.answer.closed.text' },
  'already-closed': { title: 'portal.answer.alreadyClosed.title', text: 'portal.answer.alreadyClosed.text' },
  reopened: { title: 'portal.answer.reopened.title', text: 'portal.answer.reopened.text' },
  'already-open': { title: 'portal.answer.alreadyOpen.title', text: 'portal.answer.alreadyOpen.text' },
  'too-late': { title: 'portal.answer.tooLate.title', text: 'portal.answer.tooLate.text' },
}

const contactForm = z.object({
  name: z.string().trim().max(200).default(''),
  email: z.email('portal.contact.emailMissing').trim().toLowerCase().max(254),
  subject: z.string().trim().min(1, 'portal.contact.subjectMissing').max(300),
  message: z.string().trim().min(1, 'portal.contact.messageMissing').max(100_000),
  /** Left empty by people; filled by form-filling robots. */
  website: z.string().max(0).optional().catch('robot'),
})

const str = (v: unknown) => (typeof v === 'string' ? v : '')

/** The language the browser asks for, when it names one offered: the language a customer wrote in. */
function askedLanguage(req: Request): string | undefined {
  if (!req.headers['accept-language']) return undefined
  const accepted = req.acceptsLanguages(...LOCALES)
  return isLocale(accepted) ? accepted : undefined
}

/** Why the uploads of a form were refused, in the reader's language (the upload middleware says it as a key or a message). */
function uploadProblem(req: Request): string | null {
  const problem = req.uploadError as unknown as string | Message | undefined
  if (!problem) return null
  if (typeof problem !== 'string') return say(req.t, problem)
  return isMessageKey(problem) ? req.t(problem) : problem
}

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
  // Opening a rating link writes (a provisional rating): limited too, more loosely than posts, as a
  // mail scanner opens every link of every e-mail it checks.
  const ratingLinkLimiter = limit('rating-links', 15, 60)

  /**
   * The conversation a signed link names; the page then speaks the conversation's language (the
   * customer's, else its folder's), in the folder's time zone.
   */
  async function conversationFrom(req: Request, res: Response, purpose: LinkPurpose): Promise<number> {
    const signed = verifyCustomerToken(ctx.mail.secret, purpose, str(req.params.token))
    if (signed === null) throw new NotFoundError('portal.linkInvalid')
    // The link of a merged conversation shows (and writes to) the conversation it was merged into.
    const id = await survivingConversationId(prisma, signed)
    const { locale, timeZone } = await findConversationLanguage(prisma, id)
    useLanguage(req, res, locale, timeZone)
    return id
  }

  async function renderStatus(req: Request, res: Response, status: number, values: { message?: string; error?: string | null } = {}) {
    const id = await conversationFrom(req, res, 'status')
    const view = await getCustomerView(prisma, id)
    const base = `/s/${customerToken(ctx.mail.secret, 'status', id)}`
    const words = STATUS_WORDS[view.status]
    res.status(status).render('portal/status', {
      title: req.t('portal.request', { number: view.number }),
      base,
      conversation: { number: view.number, subject: view.subject, status: view.status, words: { title: req.t(words.title), text: req.t(words.text) } },
      messages: view.messages.map((m) => ({
        mine: m.kind === 'customer',
        author: m.kind === 'customer' ? req.t('portal.status.you') : (m.author?.name ?? req.t('portal.brand')),
        at: req.formats.dateTime(m.createdAt),
        full: req.formats.full(m.createdAt),
        iso: m.createdAt.toISOString(),
        // Inline images point at the agents' route; the customer fetches them through this link.
        html: replaceImageSources(m.bodyHtml, (src) => {
          const match = /^\/attachments\/(\d+)/.exec(src)
          return match ? `${base}/attachments/${match[1]}` : null
        }),
        files: m.attachments
          .filter((a) => !a.inline)
          .map((a) => ({ name: a.fileName, size: req.t('portal.status.fileSize', sizeValues('size', a.size)), href: `${base}/attachments/${a.id}` })),
      })),
      values: { message: values.message ?? '' },
      error: values.error ?? null,
    })
  }

  router.get('/s/:token', (req, res) => renderStatus(req, res, 200))

  router.get('/s/:token/attachments/:id', async (req, res) => {
    const id = await conversationFrom(req, res, 'status')
    const attachmentId = Number(req.params.id)
    if (!Number.isInteger(attachmentId) || attachmentId <= 0 || attachmentId > 2_147_483_647) throw new NotFoundError()
    const { attachment, data } = await findCustomerAttachment(prisma, id, attachmentId)
    sendAttachment(res, attachment, data, false)
  })

  router.post('/s/:token/messages', customerPostLimiter, async (req, res) => {
    const id = await conversationFrom(req, res, 'status')
    const message = str(req.body?.message)
    const refused = uploadProblem(req)
    if (refused) return renderStatus(req, res, 413, { message, error: refused })
    const customerId = await findConversationCustomer(prisma, id)
    try {
      const result = await addCustomerMessage(ctx.domain, asCustomer(customerId), { conversationId: id, text: message, files: uploadedFiles(req) })
      if (result.followUpOf !== null) {
        flash(req, 'success', 'portal.status.reopenedAsNew')
        return res.redirect(303, `/s/${customerToken(ctx.mail.secret, 'status', result.conversation.id)}`)
      }
      flash(req, 'success', 'portal.status.received')
      res.redirect(303, `/s/${str(req.params.token)}`)
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err
      return renderStatus(req, res, 400, { message, error: firstProblem(req.t, err) })
    }
  })

  router.post('/s/:token/resolved', customerPostLimiter, async (req, res) => {
    const id = await conversationFrom(req, res, 'status')
    await recordCustomerAnswer(ctx.domain, asCustomer(await findConversationCustomer(prisma, id)), { conversationId: id, answer: 'solved' })
    flash(req, 'success', 'portal.status.closedBySolved')
    res.redirect(303, `/s/${str(req.params.token)}`)
  })

  // Reminder links: the GET only shows a button, because mail scanners open links by themselves.
  router.get('/r/:answer/:token', async (req, res) => {
    const answer = req.params.answer === 'solved' ? 'solved' : req.params.answer === 'not-solved' ? 'not-solved' : null
    if (!answer) throw new NotFoundError()
    const id = await conversationFrom(req, res, answer)
    const view = await getCustomerView(prisma, id)
    res.render('portal/answer', {
      title: req.t(answer === 'solved' ? 'portal.answer.solvedTitle' : 'portal.answer.notSolvedTitle'),
      answer,
      conversation: { number: view.number, subject: view.subject },
      done: null,
    })
  })

  router.post('/r/:answer/:token', customerPostLimiter, async (req, res) => {
    const answer = req.params.answer === 'solved' ? 'solved' : req.params.answer === 'not-solved' ? 'not-solved' : null
    if (!answer) throw new NotFoundError()
    const id = await conversationFrom(req, res, answer)
    const { outcome, number } = await recordCustomerAnswer(ctx.domain, asCustomer(await findConversationCustomer(prisma, id)), { conversationId: id, answer })
    const page = ANSWER_PAGES[outcome]
    res.render('portal/answer', {
      title: req.t(page.title),
      answer,
      conversation: { number },
      done: {
        title: req.t(page.title),
        text: req.t(page.text),
        statusHref: `/s/${customerToken(ctx.mail.secret, 'status', id)}`,
        contactHref: outcome === 'too-late' ? '/contact' : null,
      },
    })
  })

  /**
   * The rating page. `clicked`: the value of the link just opened, which the page's script confirms
   * (or the customer with the form) unless it is already the confirmed rating.
   */
  async function renderRating(
    req: Request,
    res: Response,
    status: number,
    id: number,
    state: { rating: ConversationRating | null; clicked: RatingValue | null; chosen?: string; comment?: string; error?: string | null },
  ) {
    const view = await getCustomerView(prisma, id)
    const { rating, clicked } = state
    const alreadyConfirmed = rating?.confirmed === true && (clicked === null || rating.value === clicked)
    res.status(status).render('portal/rating', {
      title: req.t('portal.rating.title'),
      action: `/rate/${customerToken(ctx.mail.secret, 'rate', id)}`,
      statusHref: `/s/${customerToken(ctx.mail.secret, 'status', id)}`,
      conversation: { number: view.number, subject: view.subject },
      values: RATING_VALUES,
      choice: state.chosen ?? clicked ?? rating?.value ?? null,
      comment: state.comment ?? rating?.comment ?? '',
      commentMax: RATING_COMMENT_MAX,
      shown: { thanks: alreadyConfirmed ? rating.value : null, toConfirm: !alreadyConfirmed && clicked ? clicked : null },
      autoConfirm: !alreadyConfirmed && clicked ? clicked : null,
      error: state.error ?? null,
    })
  }

  // A rating link: records a provisional rating (a mail scanner may be the one opening it) and
  // shows the page that confirms it.
  router.get('/rate/:token', ratingLinkLimiter, async (req, res) => {
    const id = await conversationFrom(req, res, 'rate')
    const asked: unknown = req.query.value
    if (asked !== undefined && !isRatingValue(asked)) throw new ValidationError('portal.rating.chooseValue')
    const clicked = asked === undefined ? null : (asked as RatingValue)
    if (clicked)
      await recordRating(ctx.domain, asCustomer(await findConversationCustomer(prisma, id)), { conversationId: id, value: clicked, confirmed: false })
    await renderRating(req, res, 200, id, { rating: await findRating(ctx.domain, id), clicked })
  })

  // The confirmation: the page's script (the value alone, JSON answer) or its form (value and comment).
  router.post('/rate/:token', customerPostLimiter, async (req, res) => {
    const id = await conversationFrom(req, res, 'rate')
    const wantsJson = req.accepts(['html', 'json']) === 'json'
    const value = str(req.body?.value)
    const comment = typeof req.body?.comment === 'string' ? req.body.comment : undefined
    const refuse = async (error: string) => {
      if (wantsJson) return res.status(400).json({ error })
      await renderRating(req, res, 400, id, { rating: await findRating(ctx.domain, id), clicked: null, chosen: value, comment, error })
    }
    if (!isRatingValue(value)) return refuse(req.t('portal.rating.chooseValue'))
    try {
      const rating = await recordRating(ctx.domain, asCustomer(await findConversationCustomer(prisma, id)), {
        conversationId: id,
        value,
        confirmed: true,
        comment,
      })
      if (wantsJson) return res.json({ value: rating.value, confirmed: rating.confirmed })
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err
      return refuse(firstProblem(req.t, err))
    }
    // The page it leads to thanks them for the rating it shows.
    res.redirect(303, `/rate/${customerToken(ctx.mail.secret, 'rate', id)}`)
  })

  // The contact form speaks the browser's language (see chooseLanguage).
  const contactPage = (req: Request, values: Record<string, string>, errors: Record<string, string>, sent: { email: string } | null) => ({
    title: req.t('portal.contact.title'),
    values,
    errors,
    sent,
    rich: richTranslator(req.t),
  })

  router.get('/contact', (req, res) => {
    res.render('portal/contact', contactPage(req, {}, {}, null))
  })

  router.post('/contact', contactLimiter, async (req, res) => {
    const values = { name: str(req.body?.name), email: str(req.body?.email), subject: str(req.body?.subject), message: str(req.body?.message) }
    const refused = uploadProblem(req)
    if (refused) return res.status(413).render('portal/contact', contactPage(req, values, { files: refused }, null))
    const parsed = contactForm.safeParse(req.body ?? {})
    if (!parsed.success)
      return res.status(400).render('portal/contact', contactPage(req, values, fieldMessages(req.t, fromZodError(parsed.error).fields), null))
    const form = parsed.data
    // A robot filled the hidden field: answer as if all went well and keep nothing.
    if (form.website === 'robot' || str(req.body?.website) !== '') return res.render('portal/contact', contactPage(req, {}, {}, { email: form.email }))
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
        // The customer wrote in the page's language, when their browser asked for one offered.
        customerLocale: askedLanguage(req),
      })
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err
      return res.status(400).render('portal/contact', contactPage(req, values, { files: firstProblem(req.t, err) }, null))
    }
    res.render('portal/contact', contactPage(req, {}, {}, { email: form.email }))
  })

  return router
}
