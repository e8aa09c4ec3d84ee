import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../helpers/childProcess.ts'

/**
 * The layers of the architecture hold because the linter refuses an import across them. Each case
 * lints a made-up file at a real place in the tree (nothing is written) and expects the refusal.
 */
const eslint = new ESLint({ cwd: ROOT })

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}/${filePath}` })
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`)
}

describe('the import rules of the architecture', () => {
  it.each([
    ['the web layer importing the database', 'src/web/admin/probe.ts', `import { openDatabase } from '../../db/database.ts'\nexport const x = openDatabase`],
    [
      'the web layer importing Prisma',
      'src/web/admin/probe.ts',
      `import { PrismaClient } from '../../generated/prisma/client.ts'\nexport const x = PrismaClient`,
    ],
    ['the web layer importing pg', 'src/web/admin/probe.ts', `import pg from 'pg'\nexport const x = pg`],
    ['the domain importing the web layer', 'src/domain/probe.ts', `import { createApp } from '../app.ts'\nexport const x = createApp`],
    [
      'the domain importing mail intake',
      'src/domain/probe.ts',
      `import { receiveRawMessage } from '../mail/inbound/intake.ts'\nexport const x = receiveRawMessage`,
    ],
    [
      'the domain importing a listener',
      'src/domain/probe.ts',
      `import { createDomainContext } from '../reactions/index.ts'\nexport const x = createDomainContext`,
    ],
    [
      'the outbox importing a domain command',
      'src/mail/outbound/probe.ts',
      `import { recordBounce } from '../../domain/conversations/commands/recordBounce.ts'\nexport const x = recordBounce`,
    ],
    ['the database layer importing the domain', 'src/db/probe.ts', `import { authorize } from '../domain/policy.ts'\nexport const x = authorize`],
  ])('refuses %s', async (_what, file, code) => {
    expect((await problems(file, code)).join('\n')).toMatch(/import-x\/no-restricted-paths|no-restricted-imports/)
  })

  it('refuses an import cycle', async () => {
    // policy.ts is imported by access.ts: importing access.ts back from policy.ts closes a cycle.
    const code = `import { lockConversation } from './conversations/access.ts'\nexport const x = lockConversation\n`
    expect((await problems('src/domain/policy.ts', code)).join('\n')).toMatch(/import-x\/no-cycle/)
  })

  it('accepts the allowed direction', async () => {
    expect(await problems('src/web/admin/probe.ts', `import { authorize } from '../../domain/policy.ts'\nexport const x = authorize\n`)).toEqual([])
  })
}, 120_000)
