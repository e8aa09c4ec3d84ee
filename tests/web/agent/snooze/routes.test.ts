import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../../src/domain/actor.ts'
import { buildAgent, buildConversation, buildFolder, PASSWORD, testClock } from '../../../helpers/factories.ts'
import { csrfFrom, signIn, startTestApp, type TestApp } from '../../../helpers/testApp.ts'

// The Snooze and Unsnooze forms without JavaScript: post, 303 back to the conversation, a flash.
describe('POST /conversations/:number/snooze and /unsnooze', () => {
  // Monday 4 January 2027, 09:00 UTC; the agent is in New York (04:00 there).
  const time = testClock(new Date('2027-01-04T09:00:00Z'))
  let app: TestApp
  let agent: Actor
  let folderId: number
  let client: Awaited<ReturnType<typeof signIn>>['client']

  beforeAll(async () => {
    app = await startTestApp({}, { clock: time.clock })
    folderId = (await buildFolder(app.ctx.db.prisma)).id
    agent = await buildAgent(app.ctx.db.prisma, { folderIds: [folderId] })
    await app.ctx.db.prisma.agent.update({ where: { id: agent.id }, data: { timeZone: 'America/New_York' } })
    ;({ client } = await signIn(app, agent.email, PASSWORD))
  })
  afterAll(async () => {
    await app?.close()
  })

  async function post(number: number, action: 'snooze' | 'unsnooze', form: Record<string, string> = {}) {
    const page = await client.get(`/conversations/${number}`)
    const res = await client
      .post(`/conversations/${number}/${action}`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), ...form })
    const after = res.status === 303 ? await client.get(res.headers.location!) : null
    return { res, after: after?.text ?? '' }
  }
  const row = (id: number) => app.ctx.db.prisma.conversation.findUniqueOrThrow({ where: { id } })

  it('computes the preset moments in the agent’s zone: tomorrow at 9:00 in New York', async () => {
    const c = await buildConversation(app.ctx.domain, agent, { folderId, status: 'open' })
    const { res, after } = await post(c.number, 'snooze', { when: 'tomorrow' })
    expect(res.status).toBe(303)
    expect(res.headers.location).toBe(`/conversations/${c.number}`)
    expect((await row(c.id)).snoozedUntil).toEqual(new Date('2027-01-05T14:00:00Z'))
    expect(after).toContain('Snoozed until Tue, Jan 5, 9:00 AM')
    expect(after).toContain('id="unsnooze"')
  })

  it('"later today" is three hours on; a typed moment is read in the agent’s zone', async () => {
    const c = await buildConversation(app.ctx.domain, agent, { folderId, status: 'open' })
    await post(c.number, 'snooze', { when: 'laterToday' })
    expect((await row(c.id)).snoozedUntil).toEqual(new Date('2027-01-04T12:00:00Z'))
    await post(c.number, 'snooze', { when: 'custom', at: '2027-02-01T08:15' })
    expect((await row(c.id)).snoozedUntil).toEqual(new Date('2027-02-01T13:15:00Z'))
  })

  it('refuses a missing or past moment and a closed conversation with a clear message, changing nothing', async () => {
    const c = await buildConversation(app.ctx.domain, agent, { folderId, status: 'open' })
    expect((await post(c.number, 'snooze', { when: 'custom', at: '' })).after).toContain('Choose when the conversation comes back.')
    expect((await post(c.number, 'snooze', {})).after).toContain('Choose when the conversation comes back.')
    expect((await post(c.number, 'snooze', { when: 'custom', at: '2026-12-01T10:00' })).after).toContain('Choose a moment in the future.')
    expect((await post(c.number, 'snooze', { when: 'custom', at: '2029-01-01T10:00' })).after).toContain('Choose a moment within a year.')
    expect((await row(c.id)).snoozedAt).toBeNull()
    const closed = await buildConversation(app.ctx.domain, agent, { folderId, status: 'closed' })
    const { res, after } = await post(closed.number, 'snooze', { when: 'customer' })
    expect(res.status).toBe(303)
    expect(after).toContain('A closed conversation cannot be snoozed.')
    // A closed conversation has no Snooze menu.
    expect(after).not.toContain('id="snooze-form"')
  })

  it('unsnoozes: the notice goes and the Snoozed tab is empty again', async () => {
    const c = await buildConversation(app.ctx.domain, agent, { folderId, status: 'open', subject: 'Wake me' })
    await post(c.number, 'snooze', { when: 'customer' })
    expect((await client.get('/conversations?tab=snoozed')).text).toContain('Wake me')
    const { res, after } = await post(c.number, 'unsnooze')
    expect(res.status).toBe(303)
    expect(after).toContain('The conversation is back in its tab.')
    expect(after).not.toContain('id="snooze-notice"')
    expect((await client.get('/conversations?tab=snoozed')).text).not.toContain('Wake me')
  })
})
