import { describe, expect, it } from 'vitest'
import { runDemo } from './demo.js'

describe('two-node demo', () => {
  it.each(['datacenter', 'internet'] as const)(
    'runs in %s mode and delivers the image intact',
    async (mode) => {
      const lines: string[] = []
      const report = await runDemo({ mode, memoryBytes: 8 * 1024 * 1024, print: (l) => lines.push(l) })
      expect(report.digestsMatch).toBe(true)
      expect(report.transferBytes).toBe(8 * 1024 * 1024)
      expect(lines.at(-1)).toBe('both nodes stopped')
      expect(lines.some((l) => l.includes('matches'))).toBe(true)
    },
    60_000,
  )
})
