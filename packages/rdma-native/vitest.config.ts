import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'rdma-native',
    include: ['src/**/*.test.ts'],
    // Native addons are loaded into test processes, not worker threads: a binary that is not context-aware
    // cannot load in a worker, and a process isolates each file's loaded binaries.
    pool: 'forks',
  },
})
