import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../src/domain/actor.ts'
import { rebuildReports } from '../../../src/domain/reports/rebuild.ts'
import { apiClient, buildApiToken, type ApiClient } from '../../helpers/apiClient.ts'
import { buildAgent, buildConversation, buildFolder, testClock } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

describe('report figures in the API', () => {
  const time = testClock(new Date('2027-01-05T09:00:00Z'))
  let app: TestApp
  let admin: Actor
  let bruno: Actor
  let supportId: number
  let vaultId: number
  let brunoRead: ApiClient
  let adminRead: ApiClient

  beforeAll(async () => {
    app = await startTestApp({}, { clock: time.clock })
    const prisma = app.ctx.db.prisma
    const ctx = app.ctx.domain
    supportId = (await buildFolder(prisma, 'Support')).id
    vaultId = (await buildFolder(prisma, 'Vault')).id
    admin = await buildAgent(prisma, { role: 'admin', name: 'Alice Admin' })
    bruno = await buildAgent(prisma, { folderIds: [supportId], name: 'Bruno Agent' })
    const ingrid = await buildAgent(prisma, { folderIds: [vaultId], name: 'Ingrid Insider' })
    // Three conversations in Support answered by Bruno over three days; five in the Vault, two closed.
    for (let i = 0; i < 3; i++) {
      await buildConversation(ctx, bruno, { folderId: supportId, mode: 'send', subject: `Printer jam ${i}`, assigneeId: bruno.id })
      time.advanceDays(1)
    }
    for (let i = 0; i < 5; i++) {
      await buildConversation(ctx, ingrid, {
        folderId: vaultId,
        mode: 'send',
        subject: `Strongroom ${i}`,
        assigneeId: ingrid.id,
        status: i < 2 ? 'closed' : undefined,
      })
    }
    // Counted at once rather than waiting for the rollup listener.
    await rebuildReports(app.ctx.db.pool)
    const client = await apiClient(app.url, null)
    brunoRead = client.as(await buildApiToken(ctx, bruno, 'read'))
    adminRead = client.as(await buildApiToken(ctx, admin, 'read'))
  })
  afterAll(async () => {
    await app?.close()
  })

  it('gives the figures of the agent’s folders only', async () => {
    const res = await brunoRead.get('/reports?from=2027-01-01&to=2027-01-10')
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ from: '2027-01-01', to: '2027-01-10', previous: { from: '2026-12-22', to: '2026-12-31' } })
    expect(res.body.current.volume.created).toBe(3)
    expect(res.body.previous.figures.volume.created).toBe(0)
    expect(res.body.folders.map((f: { id: number }) => f.id)).toEqual([supportId])
    expect(res.body.agents.map((a: { name: string }) => a.name)).toEqual(['Bruno Agent'])
    expect(res.body.volumeSeries).toHaveLength(10)
    expect(res.body.filters).toMatchObject({ folderId: null, interval: 'day', businessHours: false })
    expect(JSON.stringify(res.body)).not.toMatch(/Vault|Ingrid/)
    const all = await adminRead.get('/reports?from=2027-01-01&to=2027-01-10')
    expect(all.body.current.volume.created).toBe(8)
    expect(all.body.current.volume.closed).toBe(2)
    const vault = await adminRead.get(`/reports?from=2027-01-01&to=2027-01-10&folderId=${vaultId}&interval=week&businessHours=true`)
    expect(vault.body.current.volume.created).toBe(5)
    expect(vault.body.filters).toMatchObject({ folderId: vaultId, interval: 'week', businessHours: true })
  })

  it('defaults to the last 30 days where the agent is', async () => {
    const res = await brunoRead.get('/reports')
    expect(res.status).toBe(200)
    expect(res.body.to).toBe('2027-01-08')
    expect(res.body.from).toBe('2026-12-10')
    expect(res.body.current.volume.created).toBe(3)
  })

  it('refuses another folder, a reversed or too long range, and malformed values, with pointers', async () => {
    const hidden = await brunoRead.get(`/reports?folderId=${vaultId}`)
    expect(hidden.status).toBe(422)
    expect(hidden.body.errors).toEqual([expect.objectContaining({ pointer: '/query/folderId' })])
    const reversed = await brunoRead.get('/reports?from=2027-01-10&to=2027-01-01')
    expect(reversed.status).toBe(422)
    expect(reversed.body.errors).toEqual([expect.objectContaining({ pointer: '/query/to' })])
    const long = await brunoRead.get('/reports?from=2020-01-01&to=2027-01-01')
    expect(long.body.errors).toEqual([expect.objectContaining({ pointer: '/query/from' })])
    const malformed = await brunoRead.get('/reports?from=2027-02-30&agentId=x&interval=month&timeZone=Mars/Olympus')
    expect(malformed.status).toBe(422)
    expect(malformed.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual([
      '/query/agentId',
      '/query/from',
      '/query/interval',
      '/query/timeZone',
    ])
  })
})
