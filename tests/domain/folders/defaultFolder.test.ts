import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DomainContext } from '../../../src/domain/context.ts'
import { ensureDefaultFolder } from '../../../src/domain/folders/defaultFolder.ts'
import { updateSettings } from '../../../src/domain/settings/updateSettings.ts'
import { buildAgent } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

describe('the default folder', () => {
  let app: TestApp
  let ctx: DomainContext

  beforeAll(async () => {
    app = await startTestApp()
    ctx = app.ctx.domain
  })
  afterAll(async () => {
    await app?.close()
  })

  it("is made on first need with the instance's default language and time zone, then found again", async () => {
    const admin = await buildAgent(ctx.prisma, { role: 'admin' })
    await updateSettings(ctx, admin, { defaultLocale: 'fr', defaultTimeZone: 'Europe/Paris' })
    const made = await ensureDefaultFolder(ctx.prisma)
    expect(made).toMatchObject({ name: 'General', locale: 'fr', timeZone: 'Europe/Paris' })
    expect((await ensureDefaultFolder(ctx.prisma)).id).toBe(made.id)
    expect(await ctx.prisma.folder.count()).toBe(1)
  })
})
