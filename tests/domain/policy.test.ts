import { readFileSync } from 'node:fs'
import { describe, expect, it, vi } from 'vitest'
import { asAgent, SYSTEM, VISITOR, type Actor } from '../../src/domain/actor.ts'
import { ForbiddenError, NotFoundError } from '../../src/domain/errors.ts'
import { agentsAllowedWhere, authorize, can, INSTANCE, scopeOf, withFolderIds, type Action, type Principal, type Subject } from '../../src/domain/policy.ts'
import { translate } from '../../src/i18n/translate.ts'

const FOLDER = 1
const OTHER_FOLDER = 2
const CUSTOMER = 7

const agent = (over: Partial<Actor>): Actor => ({ id: 10, name: 'A', email: 'a@example.test', role: 'agent', folderIds: [], ...over })

const principals = {
  admin: agent({ role: 'admin' }),
  'agent in folder': agent({ folderIds: [FOLDER] }),
  'agent outside': agent({ folderIds: [OTHER_FOLDER] }),
  'inactive agent in folder': agent({ folderIds: [FOLDER], active: false }),
  'inactive admin': agent({ role: 'admin', active: false }),
  'own customer': { kind: 'customer', customerId: CUSTOMER },
  'other customer': { kind: 'customer', customerId: CUSTOMER + 1 },
  system: SYSTEM,
  visitor: VISITOR,
} satisfies Record<string, Principal>

const subjects = {
  instance: INSTANCE,
  folder: { type: 'folder', id: FOLDER },
  conversation: { type: 'conversation', folderId: FOLDER, customerId: CUSTOMER },
} satisfies Record<string, Subject>

const ACTIONS: Action[] = ['read', 'act', 'administer']
const ALL = ACTIONS
const NONE: Action[] = []

/** The rule table, spelled out: what each principal may do on each subject. */
const expected: Record<keyof typeof principals, Record<keyof typeof subjects, Action[]>> = {
  admin: { instance: ALL, folder: ALL, conversation: ALL },
  'agent in folder': { instance: ['read'], folder: ['read', 'act'], conversation: ['read', 'act'] },
  'agent outside': { instance: ['read'], folder: NONE, conversation: NONE },
  'inactive agent in folder': { instance: NONE, folder: NONE, conversation: NONE },
  'inactive admin': { instance: NONE, folder: NONE, conversation: NONE },
  // Writing comes from the verified signed link or thread reference (a Cc'd colleague may answer);
  // reading the status page is the conversation's own customer's.
  'own customer': { instance: NONE, folder: NONE, conversation: ['read', 'act'] },
  'other customer': { instance: NONE, folder: NONE, conversation: ['act'] },
  system: { instance: ALL, folder: ALL, conversation: ALL },
  // Signed out: only a secret link or an empty install lets a visitor do anything, never a rule.
  visitor: { instance: NONE, folder: NONE, conversation: NONE },
}

const cases = Object.entries(principals).flatMap(([who, principal]) =>
  Object.entries(subjects).flatMap(([what, subject]) =>
    ACTIONS.map((action) => ({
      who,
      principal,
      what,
      subject,
      action,
      allowed: expected[who as keyof typeof principals][what as keyof typeof subjects].includes(action),
    })),
  ),
)

describe('the policy rule table', () => {
  it.each(cases)('$who may $action on $what: $allowed', ({ principal, action, subject, allowed }) => {
    expect(can(principal, action, subject)).toBe(allowed)
    // An agent decides the same whether passed as the signed-in actor or as a history reference.
    if (!('kind' in principal)) expect(can(asAgent(principal), action, subject)).toBe(allowed)
  })

  it.each(cases.filter((c) => !c.allowed))('authorize refuses $who to $action on $what without leaking existence', ({ principal, action, subject }) => {
    const seesIt = subject.type !== 'instance' && can(principal, 'read', subject)
    const error = subject.type === 'instance' || seesIt ? ForbiddenError : NotFoundError
    expect(() => authorize(principal, action, subject)).toThrow(error)
  })

  it.each(cases.filter((c) => c.allowed))('authorize lets $who $action on $what', ({ principal, action, subject }) => {
    expect(() => authorize(principal, action, subject)).not.toThrow()
  })

  it('a conversation without its customer is no customer’s to read', () => {
    expect(can(principals['own customer'], 'read', { type: 'conversation', folderId: FOLDER })).toBe(false)
  })

  it('a folder the agent is not in answers “does not exist”', () => {
    expect(() => authorize(principals['agent outside'], 'act', subjects.folder)).toThrow(expect.objectContaining({ key: 'error.folderNotFound' }))
    expect(translate('en', 'error.folderNotFound')).toBe('That folder does not exist')
  })
})

describe('folder memberships', () => {
  it('refuse to decide for an agent whose folders were not loaded, rather than guess', () => {
    const { folderIds: _, ...bare } = principals['agent in folder']
    expect(() => can(bare, 'read', subjects.conversation)).toThrow(/withFolderIds/)
    // Questions that do not depend on folders still get an answer.
    expect(can(bare, 'administer', INSTANCE)).toBe(false)
  })

  it('are loaded once by withFolderIds, and only when the rules need them', async () => {
    const findMany = vi.fn(async () => [{ folderId: FOLDER }])
    const db = { folderMember: { findMany } } as unknown as Parameters<typeof withFolderIds>[0]
    const { folderIds: _, ...bare } = principals['agent in folder']

    const loaded = await withFolderIds(db, asAgent(bare))
    expect(can(loaded, 'act', subjects.conversation)).toBe(true)
    expect(findMany).toHaveBeenCalledTimes(1)

    await withFolderIds(db, principals['agent in folder'])
    await withFolderIds(db, { ...principals.admin, folderIds: undefined })
    await withFolderIds(db, SYSTEM)
    await withFolderIds(db, principals['own customer'])
    expect(findMany).toHaveBeenCalledTimes(1)
  })
})

describe('scopes derived from the rules', () => {
  it('give each principal the folders whose conversations it may read', () => {
    expect(scopeOf(principals.admin)).toBeNull()
    expect(scopeOf(SYSTEM)).toBeNull()
    expect(scopeOf(principals['agent in folder'])).toEqual([FOLDER])
    expect(scopeOf(principals['inactive agent in folder'])).toEqual([])
    expect(scopeOf(principals['own customer'])).toEqual([])
  })

  it('agree with can() for every folder', () => {
    for (const principal of Object.values(principals)) {
      for (const folderId of [FOLDER, OTHER_FOLDER]) {
        const scope = scopeOf(principal)
        const inScope = scope === null || scope.includes(folderId)
        // Customers read by ownership, not by folder: their scope is empty, as no list shows them anything.
        if ('kind' in principal && principal.kind === 'customer') continue
        expect(inScope).toBe(can(principal, 'read', { type: 'conversation', folderId }))
      }
    }
  })

  it('select the agents who may be given a folder’s conversations', () => {
    expect(agentsAllowedWhere(FOLDER)).toEqual({ active: true, OR: [{ role: 'admin' }, { role: 'agent', folders: { some: { folderId: FOLDER } } }] })
  })
})

describe('the policy module', () => {
  it('depends on no area of the domain (no import cycle)', () => {
    const source = readFileSync(new URL('../../src/domain/policy.ts', import.meta.url), 'utf8')
    const imports = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1])
    expect(imports.filter((path) => /\/(agents|conversations|folders|tags|mail|settings)\//.test(path!))).toEqual([])
    expect(source).not.toMatch(/WeakMap/)
  })
})
