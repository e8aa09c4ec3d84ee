import { asCustomer } from '../../../src/domain/actor.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { updateAgent } from '../../../src/domain/agents/manageAgents.ts'
import { addCustomerMessage } from '../../../src/domain/conversations/commands/addCustomerMessage.ts'
import { assignConversation } from '../../../src/domain/conversations/commands/assignConversation.ts'
import { buildAgent, buildConversation, buildFolder } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

describe('taking an agent out of a folder', () => {
  let app: TestApp
  beforeAll(async () => {
    app = await startTestApp()
  })
  afterAll(async () => {
    await app?.close()
  })

  it('unassigns their conversations there, in the same step, and tells them nothing more of them', async () => {
    const prisma = app.ctx.db.prisma
    const admin = await buildAgent(prisma, { role: 'admin', name: 'Ada Admin' })
    const billing = await buildFolder(prisma, 'Billing')
    const sales = await buildFolder(prisma, 'Sales')
    const bo = await buildAgent(prisma, { folderIds: [billing.id, sales.id], name: 'Bo Agent' })
    const inBilling = await buildConversation(app.ctx.domain, admin, { folderId: billing.id, subject: 'Refund' })
    const inSales = await buildConversation(app.ctx.domain, admin, { folderId: sales.id, subject: 'Quote' })
    await assignConversation(app.ctx.domain, admin, { conversationId: inBilling.id, assigneeId: bo.id })
    await assignConversation(app.ctx.domain, admin, { conversationId: inSales.id, assigneeId: bo.id })

    await updateAgent(app.ctx.domain, admin, {
      agentId: bo.id,
      name: 'Bo Agent',
      role: 'agent',
      folderIds: [sales.id],
      pref_assigned: 'email',
      pref_customer_reply: 'both',
    })

    expect((await prisma.conversation.findUniqueOrThrow({ where: { id: inBilling.id } })).assigneeId).toBeNull()
    expect((await prisma.conversation.findUniqueOrThrow({ where: { id: inSales.id } })).assigneeId).toBe(bo.id)
    const unassigned = await prisma.historyEvent.findFirstOrThrow({
      where: { conversationId: inBilling.id, type: 'conversation.assigned' },
      orderBy: { id: 'desc' },
    })
    expect(unassigned).toMatchObject({ actorAgentId: admin.id, data: { from: bo.id, to: null, reason: 'removed from the folder' } })

    // The customer writes again: nothing reaches Bo, who may no longer read this folder.
    const customer = await prisma.conversation.findUniqueOrThrow({ where: { id: inBilling.id }, select: { customerId: true } })
    await addCustomerMessage(app.ctx.domain, asCustomer(customer.customerId), { conversationId: inBilling.id, text: 'My card number is 4111…' })
    expect(
      await prisma.outboxEmail.count({ where: { toAddress: bo.email, conversationId: inBilling.id, kind: 'notification', text: { contains: '4111' } } }),
    ).toBe(0)
  })

  it('checks folder access again before any notification, whatever the assignment says', async () => {
    const prisma = app.ctx.db.prisma
    const admin = await buildAgent(prisma, { role: 'admin' })
    const folder = await buildFolder(prisma)
    const outsider = await buildAgent(prisma, { folderIds: [] })
    const conversation = await buildConversation(app.ctx.domain, admin, { folderId: folder.id })
    // An assignment left over from before the rule (or written by hand).
    await prisma.conversation.update({ where: { id: conversation.id }, data: { assigneeId: outsider.id } })
    await addCustomerMessage(app.ctx.domain, asCustomer(conversation.customerId), { conversationId: conversation.id, text: 'Private details' })
    expect(await prisma.outboxEmail.count({ where: { toAddress: outsider.email } })).toBe(0)
  })
})
