import { describe, expect, it } from 'vitest'
import { parseArgs } from './args.js'
import { main } from './cli.js'
import type { DemoReport } from './demo.js'

describe('vm-migration demo', () => {
  it('runs with --size 32: exit code 0 and the summary table', async () => {
    const lines: string[] = []
    let report: DemoReport | undefined
    const code = await main(['--size', '32'], {
      print: (l) => lines.push(l),
      progress: false,
      onReport: (r) => {
        report = r
      },
    })
    expect(code).toBe(0)
    expect(report?.placedOn).toBe('node-2')
    expect(report?.targetDigestMatches).toBe(true)
    expect(report?.summary?.imageBytes).toBe(32 * 1024 * 1024)
    expect(report?.summary?.rounds).toBeGreaterThanOrEqual(2)
    const text = lines.join('\n')
    for (const row of ['wire bytes', 'rounds', 'downtime', 'throughput', 'bandwidth', 'mode', 'consensus'])
      expect(text).toContain(row)
    expect(text).toContain('placement/vm-1 → node-2')
    expect(text).toContain('matches on the target')
    expect(lines.at(-1)).toBe('all nodes stopped, temporary files removed')
  }, 60_000)

  it('exits with 2 on a bad command line', async () => {
    const errors: string[] = []
    expect(await main(['--size', 'x'], { error: (l) => errors.push(l) })).toBe(2)
    expect(errors.join('\n')).toContain('usage:')
    expect(parseArgs(['--serve', '--size', '64'])).toMatchObject({ serve: true, sizeMiB: 64 })
    // As `pnpm demo -- --codec raw --size 4096` passes them (the README's commands).
    expect(parseArgs(['--', '--codec', 'raw', '--size', '4096'])).toMatchObject({
      codec: 'raw',
      sizeMiB: 4096,
    })
  })
})
