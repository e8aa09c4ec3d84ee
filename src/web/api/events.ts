import type { AnyOperation } from './operation.ts'

export const eventOperations: AnyOperation[] = []
