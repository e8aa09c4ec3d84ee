import type { Actor } from './agents/authenticate.ts'

/** Who did something, as history records it. */
export type ActorRef = { kind: 'agent'; agent: Actor } | { kind: 'customer'; customerId: number } | { kind: 'system' }

export const SYSTEM: ActorRef = { kind: 'system' }

export const asAgent = (agent: Actor): ActorRef => ({ kind: 'agent', agent })
