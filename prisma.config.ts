import { defineConfig } from 'prisma/config'

// Prisma 7 no longer loads .env by itself.
try {
  process.loadEnvFile()
} catch {}

// The Prisma CLI insists on a native schema-engine binary, which it downloads on first use. The
// shim speaks the same protocol on top of the Wasm engine, so every CLI command works offline.
// Set PRISMA_SCHEMA_ENGINE_BINARY to use a native engine instead.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= new URL('./tools/prisma-wasm/schema-engine-shim.mjs', import.meta.url).pathname
process.env.CHECKPOINT_DISABLE ??= '1'

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  // env('DATABASE_URL') would throw during `prisma generate` when the variable is unset.
  datasource: process.env.DATABASE_URL ? { url: process.env.DATABASE_URL, shadowDatabaseUrl: process.env.SHADOW_DATABASE_URL } : undefined,
})
