import type { Prisma } from '../../src/db/database.ts'
import type { Actor } from '../../src/domain/actor.ts'
import { hashPassword } from '../../src/domain/agents/passwords.ts'
import type { Clock } from '../../src/domain/clock.ts'
import type { DomainContext } from '../../src/domain/context.ts'
import { createConversation, type CreateConversationInput } from '../../src/domain/conversations/commands/createConversation.ts'
import { setConversationStatus } from '../../src/domain/conversations/commands/setConversationStatus.ts'
import type { ConversationStatus } from '../../src/generated/prisma/enums.ts'

let counter = 0
const unique = () => `${Date.now().toString(36)}${(++counter).toString(36)}`

/** A clock the test moves by hand. */
export function testClock(start = new Date('2027-01-04T09:00:00Z')) {
  let now = start.getTime()
  const clock: Clock = () => new Date(now)
  return {
    clock,
    advance(ms: number) {
      now += ms
    },
    advanceDays(days: number) {
      now += days * 24 * 60 * 60 * 1000
    },
    set(date: Date) {
      now = date.getTime()
    },
  }
}

export const PASSWORD = 'factory password 1'
let passwordHash: string | undefined

export async function buildAgent(prisma: Prisma, options: { role?: 'admin' | 'agent'; folderIds?: number[]; name?: string } = {}): Promise<Actor> {
  passwordHash ??= await hashPassword(PASSWORD)
  const id = unique()
  const agent = await prisma.agent.create({
    data: {
      name: options.name ?? `Agent ${id}`,
      email: `agent-${id}@example.test`,
      passwordHash,
      role: options.role ?? 'agent',
      folders: { create: (options.folderIds ?? []).map((folderId) => ({ folderId })) },
    },
  })
  return { id: agent.id, name: agent.name, email: agent.email, role: agent.role }
}

export async function buildFolder(prisma: Prisma, name = `Folder ${unique()}`) {
  return prisma.folder.create({ data: { name } })
}

export async function buildTag(prisma: Prisma, name = `tag-${unique()}`, colour = 'blue') {
  return prisma.tag.create({ data: { name, colour } })
}

/** A conversation made through the real command, then put in the wanted status. */
export async function buildConversation(
  ctx: DomainContext,
  agent: Actor,
  options: Partial<CreateConversationInput> & { folderId: number; status?: ConversationStatus },
) {
  const { status, ...input } = options
  const { conversation } = await createConversation(ctx, agent, {
    customerEmail: input.customerEmail ?? `customer-${unique()}@example.com`,
    customerName: input.customerName ?? 'Casey Customer',
    subject: input.subject ?? 'Where is my parcel?',
    mode: input.mode ?? 'record',
    text: input.text ?? 'I ordered a lamp two weeks ago and it has not arrived.',
    ...input,
  })
  if (status && status !== conversation.status) return setConversationStatus(ctx, agent, { conversationId: conversation.id, status })
  return conversation
}
