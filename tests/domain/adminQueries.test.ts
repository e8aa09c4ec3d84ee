import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../src/domain/actor.ts'
import { getAgentForAdmin, listAgentsForAdmin } from '../../src/domain/agents/listAgents.ts'
import { listAudit } from '../../src/domain/audit/listAudit.ts'
import type { DomainContext } from '../../src/domain/context.ts'
import { ForbiddenError } from '../../src/domain/errors.ts'
import { getFolderForAdmin, listFolderChoices } from '../../src/domain/folders/folderQueries.ts'
import { listFoldersForAdmin } from '../../src/domain/folders/manageFolders.ts'
import { getImapAccount, listImapAccounts } from '../../src/domain/mail/imapAccounts.ts'
import { findInboundMessage, getRawInboundMessage, listInboundMessages } from '../../src/domain/mail/inboundMessages.ts'
import { listOutbox } from '../../src/domain/outbox/listOutbox.ts'
import { countRecentOutboxFailures } from '../../src/domain/outbox/outboxFailures.ts'
import { getOutboxAttachment, getOutboxEmail, getOutboxEmailHtml } from '../../src/domain/outbox/outboxEmail.ts'
import { getSettingsOverview } from '../../src/domain/settings/settingsOverview.ts'
import { listTagsForAdmin } from '../../src/domain/tags/manageTags.ts'
import { buildAgent, buildFolder } from '../helpers/factories.ts'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'

/** The administrators' pages read through these: each asks the policy before it reads anything. */
describe('administrators’ queries', () => {
  let app: TestApp
  let ctx: DomainContext
  let admin: Actor
  let agent: Actor
  let folderId: number

  beforeAll(async () => {
    app = await startTestApp()
    ctx = app.ctx.domain
    folderId = (await buildFolder(ctx.prisma, 'Support')).id
    admin = await buildAgent(ctx.prisma, { role: 'admin', name: 'Ada' })
    agent = await buildAgent(ctx.prisma, { name: 'Bob', folderIds: [folderId] })
  })
  afterAll(async () => {
    await app?.close()
  })

  const queries: [string, (actor: Actor) => Promise<unknown>][] = [
    ['listAgentsForAdmin', (a) => listAgentsForAdmin(ctx, a)],
    ['getAgentForAdmin', (a) => getAgentForAdmin(ctx, a, admin.id)],
    ['listAudit', (a) => listAudit(ctx, a, {})],
    ['listFolderChoices', (a) => listFolderChoices(ctx, a)],
    ['getFolderForAdmin', (a) => getFolderForAdmin(ctx, a, folderId)],
    ['listFoldersForAdmin', (a) => listFoldersForAdmin(ctx, a)],
    ['listTagsForAdmin', (a) => listTagsForAdmin(ctx, a)],
    ['listImapAccounts', (a) => listImapAccounts(ctx, a)],
    ['getImapAccount', (a) => getImapAccount(ctx, a, { accountId: 1 })],
    ['listInboundMessages', (a) => listInboundMessages(ctx, a, {})],
    ['getRawInboundMessage', (a) => getRawInboundMessage(ctx, a, 1)],
    ['findInboundMessage', (a) => findInboundMessage(ctx, a, 1)],
    ['listOutbox', (a) => listOutbox(ctx, a, {})],
    ['getOutboxEmail', (a) => getOutboxEmail(ctx, a, 1)],
    ['getOutboxEmailHtml', (a) => getOutboxEmailHtml(ctx, a, 1)],
    ['getOutboxAttachment', (a) => getOutboxAttachment(ctx, a, { id: 1, index: 0 })],
    ['countRecentOutboxFailures', (a) => countRecentOutboxFailures(ctx, a)],
    ['getSettingsOverview', (a) => getSettingsOverview(ctx, a)],
  ]

  it.each(queries)('%s refuses an agent', async (_name, query) => {
    await expect(query(agent)).rejects.toBeInstanceOf(ForbiddenError)
  })

  it('never hands out a password hash', async () => {
    const agents = await listAgentsForAdmin(ctx, admin)
    expect(agents.length).toBeGreaterThanOrEqual(2)
    for (const a of agents) expect(a).not.toHaveProperty('passwordHash')
    const { agent: one } = await getAgentForAdmin(ctx, admin, agent.id)
    expect(one).not.toHaveProperty('passwordHash')
    expect(one).toMatchObject({ id: agent.id, folderIds: [folderId], invited: false })
  })
})
