import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ENV_FILE, loadConfigFromEnvironment, publicUrlWarning } from '../src/config.ts'
import { projectRoot } from '../src/paths.ts'

describe('the configuration loader shared by the app and the commands', () => {
  let dir: string
  let envFile: string

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'suivi-env-'))
    envFile = path.join(dir, '.env')
    await writeFile(envFile, '# as in .env.example\nPORT=8123\nMAIL_FROM="Help <help@example.test>"\nDATA_DIR=/srv/suivi\n')
  })
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('reads the .env beside package.json, not one in the working directory', () => {
    expect(ENV_FILE).toBe(path.join(projectRoot, '.env'))
  })

  it('takes from the file what the environment leaves unset; the environment wins', () => {
    const c = loadConfigFromEnvironment({ envFile, env: { DATA_DIR: './elsewhere' } })
    expect(c.port).toBe(8123)
    expect(c.publicUrl).toBe('http://localhost:8123')
    expect(c.mailFrom).toBe('Help <help@example.test>')
    expect(c.dataDir).toBe('./elsewhere')
  })

  it('runs without a .env file', () => {
    expect(loadConfigFromEnvironment({ envFile: path.join(dir, 'missing.env'), env: {} }).port).toBe(3000)
  })

  it('warns when PUBLIC_URL is unset, naming the URL links will carry', () => {
    const unset = loadConfigFromEnvironment({ envFile, env: {} })
    expect(publicUrlWarning(unset)).toContain('PUBLIC_URL is not set, so links in e-mails point to http://localhost:8123')
    expect(publicUrlWarning(loadConfigFromEnvironment({ envFile, env: { PUBLIC_URL: 'https://help.example.test' } }))).toBeNull()
  })
})
