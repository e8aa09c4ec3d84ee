import { z } from 'zod'
import { getAgentInDirectory, listAgentDirectory } from '../../domain/agents/agentDirectory.ts'
import { inviteAgent, inviteSchema, setAgentActive } from '../../domain/agents/manageAgents.ts'
import { listVisibleFolders } from '../../domain/folders/visibleFolders.ts'
import { getSavedReply } from '../../domain/savedReplies/savedReplyDetail.ts'
import { listSavedReplies, previewOf } from '../../domain/savedReplies/savedReplyQueries.ts'
import { listTags } from '../../domain/tags/listTags.ts'
import { Agent, Folder, SavedReply, SavedReplySummary, Tag } from './directorySchemas.ts'
import { operation, type AnyOperation } from './operation.ts'

const rowId = z.coerce.number().int().positive().max(2_147_483_647)
const list = <T extends z.ZodType>(item: T, id: string, description: string) => z.object({ items: z.array(item) }).meta({ id, description })

/** The invitation as JSON: folders may be left out (none). */
const inviteBody = inviteSchema.extend({ folderIds: z.array(rowId).max(500).default([]) })

const AgentList = list(Agent, 'AgentList', 'Agents, active ones first, by name.')

export const directoryOperations: AnyOperation[] = [
  operation({
    method: 'get',
    path: '/tags',
    operationId: 'listTags',
    summary: 'List tags',
    tag: 'Tags',
    scope: 'read',
    responses: { 200: { description: 'Every tag, by name.', schema: list(Tag, 'TagList', 'Tags, by name.') } },
    async handler({ ctx, agent }) {
      return { body: { items: await listTags(ctx.domain, agent) } }
    },
  }),
  operation({
    method: 'get',
    path: '/folders',
    operationId: 'listFolders',
    summary: 'List folders',
    description: 'The folders the caller may read (admins: every folder), in their configured order.',
    tag: 'Folders',
    scope: 'read',
    responses: { 200: { description: 'The folders.', schema: list(Folder, 'FolderList', 'Folders in their configured order.') } },
    async handler({ ctx, agent }) {
      return { body: { items: await listVisibleFolders(ctx.domain, agent) } }
    },
  }),
  operation({
    method: 'get',
    path: '/agents',
    operationId: 'listAgents',
    summary: 'List agents',
    description: 'Active agents; admins also see deactivated and invited agents, and each agent’s folders.',
    tag: 'Agents',
    scope: 'read',
    responses: { 200: { description: 'The agents.', schema: AgentList } },
    async handler({ ctx, agent }) {
      return { body: { items: await listAgentDirectory(ctx.domain, agent) } }
    },
  }),
  operation({
    method: 'post',
    path: '/agents',
    operationId: 'inviteAgent',
    summary: 'Invite an agent',
    description: 'Adds an agent who is e-mailed a link to choose their password (valid 7 days).',
    tag: 'Agents',
    scope: 'admin',
    body: inviteBody,
    responses: { 201: { description: 'Invited.', schema: Agent, headers: { Location: 'The agent’s URL.' } } },
    async handler({ ctx, body, agent }) {
      const invited = await inviteAgent(ctx.domain, agent, body)
      return {
        status: 201,
        headers: { Location: `/api/v1/agents/${invited.id}` },
        body: await getAgentInDirectory(ctx.domain, agent, { agentId: invited.id }),
      }
    },
  }),
  operation({
    method: 'get',
    path: '/agents/{agentId}',
    operationId: 'getAgent',
    summary: 'Get an agent',
    tag: 'Agents',
    scope: 'read',
    params: z.object({ agentId: rowId }),
    responses: { 200: { description: 'The agent.', schema: Agent } },
    async handler({ ctx, params, agent }) {
      return { body: await getAgentInDirectory(ctx.domain, agent, params) }
    },
  }),
  operation({
    method: 'post',
    path: '/agents/{agentId}/deactivate',
    operationId: 'deactivateAgent',
    summary: 'Deactivate an agent',
    description:
      'They can no longer sign in, their sessions and tokens stop working, and their history stays. The conversations still assigned to them keep their assignee until reassigned. The last active admin cannot be deactivated (409).',
    tag: 'Agents',
    scope: 'admin',
    params: z.object({ agentId: rowId }),
    responses: {
      200: { description: 'Deactivated (or already so).', schema: Agent },
    },
    async handler({ ctx, params, agent }) {
      await setAgentActive(ctx.domain, agent, { agentId: params.agentId, active: false })
      return { body: await getAgentInDirectory(ctx.domain, agent, params) }
    },
  }),
  operation({
    method: 'get',
    path: '/saved-replies',
    operationId: 'listSavedReplies',
    summary: 'List saved replies',
    description: 'The shared saved replies and those of the folders the caller may read.',
    tag: 'Saved replies',
    scope: 'read',
    responses: {
      200: {
        description: 'Shared ones first, then by folder and name.',
        schema: list(SavedReplySummary, 'SavedReplyList', 'Saved replies the caller may use.'),
      },
    },
    async handler({ ctx, agent }) {
      const replies = await listSavedReplies(ctx.domain, agent)
      return {
        body: {
          items: replies.map((r) => ({
            id: r.id,
            name: r.name,
            folder: r.folderId === null ? null : { id: r.folderId, name: r.folderName ?? '' },
            preview: r.preview,
            useCount: r.useCount,
            lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
            canManage: r.canManage,
          })),
        },
      }
    },
  }),
  operation({
    method: 'get',
    path: '/saved-replies/{savedReplyId}',
    operationId: 'getSavedReply',
    summary: 'Get a saved reply',
    tag: 'Saved replies',
    scope: 'read',
    params: z.object({ savedReplyId: rowId }),
    responses: { 200: { description: 'The saved reply with its text.', schema: SavedReply } },
    async handler({ ctx, params, agent }) {
      const r = await getSavedReply(ctx.domain, agent, params)
      return {
        body: {
          id: r.id,
          name: r.name,
          folder: r.folderId === null ? null : { id: r.folderId, name: r.folder?.name ?? '' },
          preview: previewOf(r.bodyHtml),
          bodyHtml: r.bodyHtml,
          useCount: r.useCount,
          lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
          canManage: r.canManage,
        },
      }
    },
  }),
]
