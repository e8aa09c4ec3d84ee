import type { AnyOperation } from './operation.ts'
import { profileOperations } from './profile.ts'
import { conversationOperations } from './conversations.ts'
import { messageOperations } from './messages.ts'
import { customerOperations } from './customers.ts'
import { directoryOperations } from './directory.ts'
import { reportOperations } from './reports.ts'
import { eventOperations } from './events.ts'

/** Every operation of the API, in the order of the reference. */
export const API_OPERATIONS: readonly AnyOperation[] = [
  ...conversationOperations,
  ...messageOperations,
  ...customerOperations,
  ...directoryOperations,
  ...reportOperations,
  ...eventOperations,
  ...profileOperations,
]
