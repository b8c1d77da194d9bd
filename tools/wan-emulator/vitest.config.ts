import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'wan-emulator',
    include: ['src/**/*.test.ts'],
    // Each file runs in its own process: emulators spawn root-owned children and namespaces that a crashed
    // worker thread could not clean up.
    pool: 'forks',
  },
})
