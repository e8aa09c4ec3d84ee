import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Each file has its own database, so files run in parallel safely.
    fileParallelism: true,
    maxWorkers: 2,
    // The migration engine leaves a timer behind; do not wait for it.
    teardownTimeout: 5_000,
  },
})
