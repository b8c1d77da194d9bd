import { defineConfig } from 'tsup'

export default defineConfig({
  entry: { index: 'src/index.ts', 'compliance/index': 'src/compliance/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  external: ['vitest', '@dwcp/rdma-native'],
})
