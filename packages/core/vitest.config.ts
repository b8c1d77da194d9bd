import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    include: ['src/**/*.test.ts'],
    // fast-check from one fixed seed: property and fuzz tests repeat exactly.
    setupFiles: ['../../scripts/fast-check-seed.ts'],
  },
})
