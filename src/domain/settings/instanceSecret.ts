import { randomBytes } from 'node:crypto'
import type { Prisma } from '../../db/database.ts'

/**
 * The secret that signs cookies and links. Taken from the environment when given; otherwise
 * generated once and kept in the database, so every instance and every restart shares it.
 */
export async function instanceSecret(prisma: Prisma, fromEnv: string | undefined): Promise<string> {
  if (fromEnv) return fromEnv
  const candidate = randomBytes(48).toString('base64url')
  await prisma.$executeRaw`INSERT INTO settings (key, value, "updatedAt") VALUES ('instanceSecret', to_jsonb(${candidate}::text), now()) ON CONFLICT (key) DO NOTHING`
  const row = await prisma.setting.findUniqueOrThrow({ where: { key: 'instanceSecret' } })
  return row.value as string
}
