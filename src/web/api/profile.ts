import { z } from 'zod'
import { operation } from './operation.ts'

export const Me = z
  .object({
    id: z.number().int(),
    name: z.string(),
    email: z.string(),
    role: z.enum(['admin', 'agent']),
    folderIds: z.array(z.number().int()).meta({ description: 'The folders the agent belongs to; an admin sees every folder.' }),
    scopes: z.array(z.enum(['read', 'write', 'admin'])),
  })
  .meta({ id: 'Me', description: 'The agent a token acts as, and what the token may do.' })

export const profileOperations = [
  operation({
    method: 'get',
    path: '/me',
    operationId: 'getMe',
    summary: 'The token’s agent and scopes',
    tag: 'Profile',
    scope: 'read',
    responses: { 200: { description: 'The agent and the token’s scopes.', schema: Me } },
    async handler({ agent, token }) {
      return { body: { id: agent.id, name: agent.name, email: agent.email, role: agent.role, folderIds: agent.folderIds ?? [], scopes: token.scopes } }
    },
  }),
]
