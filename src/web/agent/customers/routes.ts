import { Router, type Request, type Response } from 'express'
import { blockCustomer, unblockCustomer } from '../../../domain/customers/blockCustomer.ts'
import { getCustomerProfile, listCustomers } from '../../../domain/customers/customerQueries.ts'
import { mergeCustomers } from '../../../domain/customers/mergeCustomers.ts'
import { listHeldMessages, markNotSpam } from '../../../domain/customers/spam.ts'
import { addCustomerAddress, AddressTakenError, removeCustomerAddress, updateCustomer } from '../../../domain/customers/updateCustomer.ts'
import { ConflictError, NotFoundError, ValidationError } from '../../../domain/errors.ts'
import { processInboundMessage } from '../../../mail/inbound/intake.ts'
import type { AppContext } from '../../context.ts'
import { errorText, fieldMessages } from '../../messages.ts'
import { requireAdmin, requireAgent } from '../../middleware/auth.ts'
import { flash, flashError } from '../../middleware/flash.ts'
import { presentCustomerProfile, presentCustomerRows } from './present.ts'
import { addressForm, customerForm, customersQuery, mergeForm } from './schema.ts'

/** What a refused form on the profile brings back: what was typed, the field messages, and a merge offer. */
export interface ProfileForm {
  values?: Record<string, string>
  errors?: Record<string, string>
  /** An address that belongs to another customer: the page offers to merge that customer in. */
  mergeOffer?: string | null
}

/**
 * Customers: the list (those with a conversation the agent may see), a profile with every
 * conversation the agent may see, its details, addresses, merging a duplicate in, blocking the
 * sender; and the spam view of held mail (admins). Every change is a domain command.
 */
export function customersRouter(ctx: AppContext): Router {
  const router = Router()
  router.use(['/customers', '/spam'], requireAgent)
  router.use('/spam', requireAdmin)

  router.get('/customers', async (req, res) => {
    const query = customersQuery.parse(req.query)
    const { rows, nextBefore } = await listCustomers(ctx.domain, req.agent!, query)
    res.render('agent/customers', {
      title: req.t('customers.title'),
      nav: 'customers',
      q: query.q ?? '',
      rows: presentCustomerRows(rows),
      nextHref: nextBefore ? `/customers?${new URLSearchParams({ ...(query.q ? { q: query.q } : {}), before: String(nextBefore) })}` : null,
      firstHref: query.before ? `/customers${query.q ? `?${new URLSearchParams({ q: query.q })}` : ''}` : null,
    })
  })

  async function renderProfile(req: Request, res: Response, status: number, form: ProfileForm = {}) {
    const profile = await getCustomerProfile(ctx.domain, req.agent!, { customerId: req.params.customerId })
    if (profile.mergedIntoId !== null) return res.redirect(303, `/customers/${profile.mergedIntoId}`)
    res.status(status).render('agent/customer', {
      title: profile.customer.name || profile.customer.email,
      nav: 'customers',
      ...presentCustomerProfile(profile, { t: req.t, fmt: req.formats }, ctx.clock()),
      values: {
        name: profile.customer.name,
        organisation: profile.customer.organisation,
        notes: profile.customer.notes,
        email: '',
        duplicateEmail: '',
        ...form.values,
      },
      errors: form.errors ?? {},
      mergeOffer: form.mergeOffer ?? null,
    })
  }

  router.get('/customers/:customerId', async (req, res) => {
    await renderProfile(req, res, 200)
  })

  // The profile's forms answer GET with the profile (address bar, reload), as conversation forms do.
  router.get(
    [
      '/customers/:customerId/addresses',
      '/customers/:customerId/addresses/:addressId/remove',
      '/customers/:customerId/merge',
      '/customers/:customerId/block',
      '/customers/:customerId/unblock',
    ],
    (req, res) => {
      res.redirect(303, `/customers/${encodeURIComponent(String(req.params.customerId))}`)
    },
  )

  const profileHref = (req: Request) => `/customers/${encodeURIComponent(String(req.params.customerId))}`

  router.post('/customers/:customerId', async (req, res) => {
    const form = customerForm.parse(req.body ?? {})
    try {
      await updateCustomer(ctx.domain, req.agent!, { customerId: req.params.customerId, ...form })
      flash(req, 'success', 'customers.saved')
      res.redirect(303, profileHref(req))
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err
      await renderProfile(req, res, 400, { values: form, errors: fieldMessages(req.t, err.fields) })
    }
  })

  router.post('/customers/:customerId/addresses', async (req, res) => {
    const { email } = addressForm.parse(req.body ?? {})
    try {
      await addCustomerAddress(ctx.domain, req.agent!, { customerId: req.params.customerId, email })
      flash(req, 'success', 'customers.addressAdded', { email: email.trim().toLowerCase() })
      res.redirect(303, profileHref(req))
    } catch (err) {
      if (err instanceof AddressTakenError)
        return renderProfile(req, res, 409, { values: { email }, errors: { email: errorText(req.t, err) }, mergeOffer: err.email })
      if (!(err instanceof ValidationError)) throw err
      await renderProfile(req, res, 400, { values: { email }, errors: fieldMessages(req.t, err.fields) })
    }
  })

  router.post('/customers/:customerId/addresses/:addressId/remove', async (req, res) => {
    try {
      const { removed } = await removeCustomerAddress(ctx.domain, req.agent!, { customerId: req.params.customerId, addressId: req.params.addressId })
      flash(req, 'success', 'customers.addressRemoved', { email: removed })
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err
      flashError(req, err)
    }
    res.redirect(303, profileHref(req))
  })

  router.post('/customers/:customerId/merge', async (req, res) => {
    const { duplicateEmail } = mergeForm.parse(req.body ?? {})
    // The customer that stays must be visible before anything about the other is said.
    await getCustomerProfile(ctx.domain, req.agent!, { customerId: req.params.customerId })
    try {
      const merged = await mergeCustomers(ctx.domain, req.agent!, { customerId: req.params.customerId, duplicateEmail })
      flash(req, 'success', 'customers.merged', { email: merged.duplicateEmail, count: merged.conversations })
      res.redirect(303, profileHref(req))
    } catch (err) {
      if (err instanceof ValidationError) return renderProfile(req, res, 400, { values: { duplicateEmail }, errors: fieldMessages(req.t, err.fields) })
      // A duplicate one may not see is answered as one that does not exist.
      if (err instanceof NotFoundError || err instanceof ConflictError) {
        const message = err instanceof NotFoundError ? req.t('customers.error.noCustomerWithAddress', { email: duplicateEmail.trim() }) : errorText(req.t, err)
        return renderProfile(req, res, err instanceof NotFoundError ? 404 : 409, { values: { duplicateEmail }, errors: { duplicateEmail: message } })
      }
      throw err
    }
  })

  router.post('/customers/:customerId/block', async (req, res) => {
    const { changed } = await blockCustomer(ctx.domain, req.agent!, { customerId: req.params.customerId })
    if (changed) flash(req, 'success', 'customers.blocked')
    res.redirect(303, profileHref(req))
  })

  router.post('/customers/:customerId/unblock', async (req, res) => {
    const { changed } = await unblockCustomer(ctx.domain, req.agent!, { customerId: req.params.customerId })
    if (changed) flash(req, 'success', 'customers.unblocked')
    res.redirect(303, profileHref(req))
  })

  router.get('/spam', async (req, res) => {
    const { rows, total } = await listHeldMessages(ctx.domain, req.agent!)
    res.render('agent/spam', { title: req.t('spam.title'), nav: 'spam', rows, total })
  })

  router.get('/spam/:inboundId/not-spam', (_req, res) => {
    res.redirect(303, '/spam')
  })

  // "Not spam": the sender is unblocked, then the e-mail goes through the intake again (as the
  // admins' received-mail page re-processes one), which now makes it a conversation.
  router.post('/spam/:inboundId/not-spam', async (req, res) => {
    const { inboundId } = await markNotSpam(ctx.domain, req.agent!, { inboundId: req.params.inboundId })
    const outcome = await processInboundMessage(ctx.domain, inboundId, req.log, { again: true })
    if (outcome.status === 'failed' || outcome.status === 'deferred') flash(req, 'error', 'spam.stillFails', { id: String(inboundId), error: outcome.error })
    else if (outcome.conversationId === null) flash(req, 'info', 'spam.takenInNoConversation', { id: String(inboundId) })
    else flash(req, 'success', 'spam.takenIn', { id: String(inboundId) })
    res.redirect(303, '/spam')
  })

  return router
}
