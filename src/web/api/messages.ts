import type { AnyOperation } from './operation.ts'

export const messageOperations: AnyOperation[] = []
