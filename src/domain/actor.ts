/** The signed-in agent as the rest of the app sees it. */
export interface Actor {
  id: number
  name: string
  email: string
  role: 'admin' | 'agent'
  /** The agent's language (a file of locales/) and IANA time zone; the web reads pages in them. */
  locale?: string
  timeZone?: string
  /** Where they go after sending a reply (their own choice, read with them). */
  afterSend?: 'stay' | 'next' | 'list'
  /** The folders an agent belongs to, when they were read with the agent (one query per request). */
  folderIds?: number[]
  /** False for a deactivated account (e.g. a former assignee); the policy lets it do nothing. Signed-in agents are active. */
  active?: boolean
}

/** Who did something, as history records it. */
export type ActorRef = { kind: 'agent'; agent: Actor } | { kind: 'customer'; customerId: number } | { kind: 'system' }

export const SYSTEM: ActorRef = { kind: 'system' }

export const asAgent = (agent: Actor): ActorRef => ({ kind: 'agent', agent })

/** A customer, known by a signed link or by the thread their e-mail answers. */
export type CustomerActor = Extract<ActorRef, { kind: 'customer' }>

export const asCustomer = (customerId: number): CustomerActor => ({ kind: 'customer', customerId })

/**
 * Someone not signed in: setting up a fresh install, or following an invitation or password
 * link. The policy gives a visitor no rights; those commands are authorized by the secret link
 * (or the empty install) they check themselves.
 */
export const VISITOR = { kind: 'visitor' } as const

export type Visitor = typeof VISITOR
