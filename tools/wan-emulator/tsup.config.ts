import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // The package root (native source, probes, build cache) is found from `import.meta.url`; the shim provides
  // it in the CJS build.
  shims: true,
})
