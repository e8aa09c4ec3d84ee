import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { catalogue, LOCALES } from '../../src/i18n/catalogues.ts'
import type { TestApp } from '../helpers/testApp.ts'

/**
 * Adding a language is adding one file: a third catalogue in the folder the app reads, and the
 * app offers it, serves pages in it and picks it from a browser that asks for it.
 */
describe('a third language added as one file', () => {
  let folder: string
  let app: TestApp
  let helpers: typeof import('../helpers/testApp.ts')

  beforeAll(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'suivi-locales-'))
    for (const code of LOCALES) await writeFile(path.join(folder, `${code}.json`), JSON.stringify(catalogue(code)))
    // A German catalogue: the English one with the words this test looks for translated.
    const german = {
      ...catalogue('en'),
      'language.name': 'Deutsch',
      'language.iso6393': 'deu',
      'layout.signOut': 'Abmelden',
      'agent.profile.title': 'Ihr Profil',
      'auth.login.title': 'Anmelden',
    }
    await writeFile(path.join(folder, 'de.json'), JSON.stringify(german))
    vi.stubEnv('SUIVI_LOCALES_DIR', folder)
    // The catalogues are read when the modules load: load the app afresh, reading the new folder.
    vi.resetModules()
    helpers = await import('../helpers/testApp.ts')
    app = await helpers.startTestApp()
    await helpers.setUpAndSignIn(app)
  })
  afterAll(async () => {
    await app?.close()
    vi.unstubAllEnvs()
    await rm(folder, { recursive: true, force: true })
  })

  it('offers it in the profile, and speaks it once chosen', async () => {
    const { client } = await helpers.signIn(app, helpers.ADMIN.email, helpers.ADMIN.password)
    const profile = await client.get('/profile')
    expect(profile.text).toContain('<option value="de" lang="de" >Deutsch</option>')
    await client
      .post('/profile')
      .type('form')
      .send({ _csrf: helpers.csrfFrom(profile.text), locale: 'de' })
    const page = await client.get('/profile')
    expect(page.text).toContain('<html lang="de">')
    expect(page.text).toContain('<h1>Ihr Profil</h1>')
    expect(page.text).toContain('Abmelden')
  })

  it('serves it to a visitor whose browser asks for it', async () => {
    const { default: request } = await import('supertest')
    const res = await request(app.url).get('/login').set('Accept-Language', 'de-CH, de;q=0.9, en;q=0.5')
    expect(res.text).toContain('<html lang="de">')
    expect(res.text).toContain('Anmelden')
  })
})
