import type { AnyOperation } from './operation.ts'
import { profileOperations } from './profile.ts'

/** Every operation of the API, in the order of the reference. */
export const API_OPERATIONS: readonly AnyOperation[] = [...profileOperations]
