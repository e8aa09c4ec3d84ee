import type { AnyOperation } from './operation.ts'

export const conversationOperations: AnyOperation[] = []
