import type { Prisma } from './database.ts'

/** Throws unless the database answers a trivial query: the health check's database probe. */
export async function pingDatabase(prisma: Prisma): Promise<void> {
  await prisma.$queryRaw`SELECT 1`
}
