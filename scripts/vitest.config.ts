import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['fixtures/**', '**/node_modules/**'],
  },
})
