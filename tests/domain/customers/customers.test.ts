import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../src/domain/actor.ts'
import type { DomainContext } from '../../../src/domain/context.ts'
import { blockCustomer, unblockCustomer } from '../../../src/domain/customers/blockCustomer.ts'
import { getCustomerProfile, listCustomers } from '../../../src/domain/customers/customerQueries.ts'
import { findOrCreateCustomer } from '../../../src/domain/customers/findOrCreateCustomer.ts'
import { mergeCustomers } from '../../../src/domain/customers/mergeCustomers.ts'
import { addCustomerAddress, AddressTakenError, removeCustomerAddress, updateCustomer } from '../../../src/domain/customers/updateCustomer.ts'
import { ConflictError, NotFoundError, ValidationError } from '../../../src/domain/errors.ts'
import { buildAgent, buildConversation, buildFolder, testClock } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

describe('customers: addresses, details, merging and blocking', () => {
  const time = testClock()
  let app: TestApp
  let ctx: DomainContext
  let admin: Actor
  let agent: Actor
  let outsider: Actor
  let folderId: number
  let otherFolderId: number

  beforeAll(async () => {
    app = await startTestApp({}, { clock: time.clock })
    ctx = app.ctx.domain
    folderId = (await buildFolder(ctx.prisma, 'Support')).id
    otherFolderId = (await buildFolder(ctx.prisma, 'Billing')).id
    admin = await buildAgent(ctx.prisma, { role: 'admin', name: 'Ada' })
    agent = await buildAgent(ctx.prisma, { name: 'Bob', folderIds: [folderId] })
    outsider = await buildAgent(ctx.prisma, { name: 'Olga', folderIds: [otherFolderId] })
  })
  afterAll(async () => {
    await app?.close()
  })

  const audits = (action: string, targetId: number) => ctx.prisma.auditEvent.findMany({ where: { action, targetId: String(targetId) }, orderBy: { id: 'asc' } })
  const find = (email: string) => ctx.prisma.$transaction((tx) => findOrCreateCustomer(tx, email, ''))

  it('finds a customer by any of their addresses, and a new address makes a new customer with its address row', async () => {
    const c = await buildConversation(ctx, admin, { folderId, customerEmail: 'marie@example.org', customerName: 'Marie Curie' })
    const customer = await ctx.prisma.customer.findUniqueOrThrow({ where: { id: c.customerId } })
    expect(await ctx.prisma.customerAddress.findMany({ where: { customerId: customer.id }, select: { email: true } })).toEqual([{ email: 'marie@example.org' }])
    await addCustomerAddress(ctx, agent, { customerId: customer.id, email: ' M.Curie@Sorbonne.example ' })
    expect((await find('m.curie@sorbonne.example')).id).toBe(customer.id)
    expect((await find('MARIE@example.org')).id).toBe(customer.id)
    // The primary address stays where replies go.
    expect((await ctx.prisma.customer.findUniqueOrThrow({ where: { id: customer.id } })).email).toBe('marie@example.org')
    const fresh = await find('pierre@example.org')
    expect(fresh.id).not.toBe(customer.id)
    expect(await ctx.prisma.customerAddress.count({ where: { customerId: fresh.id, email: 'pierre@example.org' } })).toBe(1)
    // Two first e-mails at once from one new address make one customer.
    const [a, b] = await Promise.all([find('twice@example.org'), find('twice@example.org')])
    expect(a.id).toBe(b.id)
  })

  it('finds a customer from before addresses existed by their own address, and gives them the row', async () => {
    const old = await ctx.prisma.customer.create({ data: { email: 'legacy@example.org', name: 'Legacy' } })
    expect((await find('legacy@example.org')).id).toBe(old.id)
    expect(await ctx.prisma.customerAddress.count({ where: { customerId: old.id } })).toBe(1)
  })

  it('edits name, organisation and notes, refuses notes over 5000 characters, and records what changed', async () => {
    const c = await buildConversation(ctx, admin, { folderId, customerEmail: 'ed@example.org', customerName: 'Ed' })
    const updated = await updateCustomer(ctx, agent, { customerId: c.customerId, name: ' Edouard ', organisation: 'Acme SA', notes: 'Prefers the phone.' })
    expect(updated).toMatchObject({ name: 'Edouard', organisation: 'Acme SA', notes: 'Prefers the phone.' })
    const [event] = await audits('customer.updated', c.customerId)
    expect(event!.data).toEqual({ name: { from: 'Ed', to: 'Edouard' }, organisation: { from: '', to: 'Acme SA' }, notes: 'changed' })
    expect(event!.targetType).toBe('customer')
    await expect(updateCustomer(ctx, agent, { customerId: c.customerId, notes: 'x'.repeat(5001) })).rejects.toBeInstanceOf(ValidationError)
    // An agent who cannot read any of the customer's conversations cannot see or edit them.
    await expect(updateCustomer(ctx, outsider, { customerId: c.customerId, name: 'Hacked' })).rejects.toBeInstanceOf(NotFoundError)
    await expect(getCustomerProfile(ctx, outsider, { customerId: c.customerId })).rejects.toBeInstanceOf(NotFoundError)
    expect((await listCustomers(ctx, outsider, { q: 'Edouard' })).rows).toEqual([])
    expect((await listCustomers(ctx, agent, { q: 'acme' })).rows.map((r) => r.id)).toContain(c.customerId)
  })

  it('never removes the last address, refuses an address of another customer, and makes the next address primary', async () => {
    const c = await buildConversation(ctx, admin, { folderId, customerEmail: 'solo@example.org' })
    const [only] = await ctx.prisma.customerAddress.findMany({ where: { customerId: c.customerId } })
    await expect(removeCustomerAddress(ctx, agent, { customerId: c.customerId, addressId: only!.id })).rejects.toBeInstanceOf(ConflictError)
    await buildConversation(ctx, admin, { folderId, customerEmail: 'someone.else@example.org' })
    const taken = await addCustomerAddress(ctx, agent, { customerId: c.customerId, email: 'someone.else@example.org' }).catch((e: unknown) => e)
    expect(taken).toBeInstanceOf(AddressTakenError)
    expect((taken as AddressTakenError).email).toBe('someone.else@example.org')
    await addCustomerAddress(ctx, agent, { customerId: c.customerId, email: 'solo.work@example.org' })
    await removeCustomerAddress(ctx, agent, { customerId: c.customerId, addressId: only!.id })
    expect((await ctx.prisma.customer.findUniqueOrThrow({ where: { id: c.customerId } })).email).toBe('solo.work@example.org')
    expect(await audits('customer.address_removed', c.customerId)).toHaveLength(1)
  })

  it('merges a duplicate: conversations, messages and addresses move, notes join, and its addresses lead to the survivor', async () => {
    const kept = await buildConversation(ctx, admin, { folderId, customerEmail: 'jo@example.org', customerName: 'Jo' })
    const dup1 = await buildConversation(ctx, admin, { folderId, customerEmail: 'jo.home@example.org' })
    const dup2 = await buildConversation(ctx, admin, { folderId: otherFolderId, customerEmail: 'jo.home@example.org' })
    await updateCustomer(ctx, admin, { customerId: kept.customerId, notes: 'VIP.' })
    await updateCustomer(ctx, admin, { customerId: dup1.customerId, notes: 'Called on Monday.', organisation: 'Home' })
    // The agent sees only one of the duplicate's folders: enough to see the duplicate.
    const result = await mergeCustomers(ctx, agent, { customerId: kept.customerId, duplicateEmail: 'Jo.Home@example.org' })
    expect(result).toMatchObject({ duplicateId: dup1.customerId, conversations: 2, addresses: 1 })
    expect(await ctx.prisma.conversation.count({ where: { id: { in: [dup1.id, dup2.id] }, customerId: kept.customerId } })).toBe(2)
    expect(await ctx.prisma.message.count({ where: { customerId: dup1.customerId } })).toBe(0)
    const survivor = await ctx.prisma.customer.findUniqueOrThrow({ where: { id: kept.customerId } })
    expect(survivor).toMatchObject({ notes: 'VIP.\n\nCalled on Monday.', organisation: 'Home', email: 'jo@example.org' })
    expect((await ctx.prisma.customer.findUniqueOrThrow({ where: { id: dup1.customerId } })).mergedIntoId).toBe(kept.customerId)
    expect((await find('jo.home@example.org')).id).toBe(kept.customerId)
    const [event] = await audits('customer.merged', kept.customerId)
    expect(event!.data).toMatchObject({ duplicateId: dup1.customerId, conversations: 2 })
    // The profile of the duplicate leads to the survivor; the survivor lists every conversation the viewer may see.
    expect(await getCustomerProfile(ctx, admin, { customerId: dup1.customerId })).toEqual({ mergedIntoId: kept.customerId })
    const profile = await getCustomerProfile(ctx, agent, { customerId: kept.customerId })
    expect(profile.mergedIntoId).toBeNull()
    if (profile.mergedIntoId === null) expect(profile.conversations.map((c) => c.id).sort()).toEqual([kept.id, dup1.id].sort())
    // Merging needs seeing both; merging a customer into themselves is refused.
    const hidden = await buildConversation(ctx, admin, { folderId: otherFolderId, customerEmail: 'hidden@example.org' })
    await expect(mergeCustomers(ctx, agent, { customerId: kept.customerId, duplicateId: hidden.customerId })).rejects.toBeInstanceOf(NotFoundError)
    await expect(mergeCustomers(ctx, agent, { customerId: kept.customerId, duplicateEmail: 'jo@example.org' })).rejects.toBeInstanceOf(ConflictError)
    await expect(mergeCustomers(ctx, agent, { customerId: kept.customerId, duplicateEmail: 'nobody@example.org' })).rejects.toBeInstanceOf(ValidationError)
  })

  it('blocks and unblocks a sender (admins and agents who see them), recorded each time', async () => {
    const c = await buildConversation(ctx, admin, { folderId, customerEmail: 'pest@example.org' })
    await expect(blockCustomer(ctx, outsider, { customerId: c.customerId })).rejects.toBeInstanceOf(NotFoundError)
    expect((await blockCustomer(ctx, agent, { customerId: c.customerId })).changed).toBe(true)
    expect((await blockCustomer(ctx, agent, { customerId: c.customerId })).changed).toBe(false)
    expect((await ctx.prisma.customer.findUniqueOrThrow({ where: { id: c.customerId } })).blockedAt).toEqual(time.clock())
    expect((await unblockCustomer(ctx, admin, { customerId: c.customerId })).changed).toBe(true)
    expect(await audits('customer.blocked', c.customerId)).toHaveLength(1)
    expect(await audits('customer.unblocked', c.customerId)).toHaveLength(1)
  })
})
