import type { AnyOperation } from './operation.ts'

export const directoryOperations: AnyOperation[] = []
