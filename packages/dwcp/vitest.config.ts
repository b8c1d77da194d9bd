import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    include: ['src/**/*.test.ts'],
    // fast-check from one fixed seed: property and fuzz tests repeat exactly.
    setupFiles: ['../../scripts/fast-check-seed.ts'],
    // These tests start nodes, servers and child processes and move real bytes: on a 2-core machine that is
    // doing something else too, one can take well over vitest's 5 s default without anything being wrong.
    // Speed is measured by the benchmarks, never by a test's timeout.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
