import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/main.ts', 'src/guest.ts'],
  format: ['esm'],
  sourcemap: true,
  clean: true,
  target: 'node20',
})
