import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  // The models are found next to the built file through import.meta.url, which tsup shims in the CJS build.
  shims: true,
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
})
