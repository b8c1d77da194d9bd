import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const child = fileURLToPath(new URL('../test-fixtures/two-nodes-exit.mjs', import.meta.url))

describe('node lifecycle', () => {
  it.each(['datacenter', 'internet'])(
    'a process that starts two %s nodes, transfers and stops them exits on its own (no leaked handles or timers)',
    (mode) => {
      const run = spawnSync(process.execPath, [child, mode], { encoding: 'utf8', timeout: 60_000 })
      expect(run.error).toBeUndefined()
      expect(run.stderr).toBe('')
      expect(run.status).toBe(0)
      const report = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}')
      expect(report).toMatchObject({ mode, digestsMatch: true, activeResources: [] })
    },
    90_000,
  )
})
