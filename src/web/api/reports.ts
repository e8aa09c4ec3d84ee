import type { AnyOperation } from './operation.ts'

export const reportOperations: AnyOperation[] = []
