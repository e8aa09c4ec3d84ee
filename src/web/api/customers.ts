import type { AnyOperation } from './operation.ts'

export const customerOperations: AnyOperation[] = []
