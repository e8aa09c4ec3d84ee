import { hash, verify, Algorithm } from '@node-rs/argon2'
import { z } from 'zod'
import { schemaMessage } from '../../i18n/issueMessages.ts'

// OWASP's argon2id baseline: 19 MiB, 2 iterations, 1 lane.
const options = { algorithm: Algorithm.Argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 }

export const passwordSchema = z
  .string()
  .min(10, schemaMessage('validation.useAtLeast', { min: 10 }))
  .max(200, schemaMessage('validation.useAtMost', { max: 200 }))

export function hashPassword(password: string): Promise<string> {
  return hash(password, options)
}

// Verifying against this when the e-mail is unknown keeps the answer time the same for both cases.
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$c3VpdmlkdW1teXNhbHQ$2r9yBZWd2rJdQ5D7I3ZK3nH6yWrmQv2j+z3+KXcfWkE'

export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash ?? DUMMY_HASH, password)
  } catch {
    return false
  }
}
