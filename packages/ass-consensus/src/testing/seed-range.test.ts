import { isDwcpError } from '@dwcp/core'
import { describe, expect, it } from 'vitest'
import { repeatCommand } from './repeat-command.js'
import { pickSeeds, SEED_MAX } from './seed-range.js'

function invalidArgument(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    expect(isDwcpError(error, 'DWCP_ERR_INVALID_ARGUMENT')).toBe(true)
    return (error as { data: { argument: string } }).data.argument
  }
  return expect.fail('expected an InvalidArgumentError')
}

describe('pickSeeds', () => {
  it('starts at 1 with the test count, 100 by default', () => {
    expect(pickSeeds({ env: {} })).toEqual({ start: 1, count: 100 })
    expect(pickSeeds({ seeds: 7, env: {} })).toEqual({ start: 1, count: 7 })
  })

  it('lets DWCP_SIM_SEEDS and DWCP_SIM_SEED_START override the range', () => {
    expect(pickSeeds({ seeds: 7, env: { DWCP_SIM_SEEDS: '2000' } })).toEqual({ start: 1, count: 2000 })
    expect(pickSeeds({ seeds: 7, env: { DWCP_SIM_SEED_START: '0' } })).toEqual({ start: 0, count: 7 })
  })

  it('picks only DWCP_SIM_SEED when set, whatever else is', () => {
    const env = { DWCP_SIM_SEED: '42', DWCP_SIM_SEEDS: '9', DWCP_SIM_SEED_START: '100' }
    expect(pickSeeds({ seeds: 7, env })).toEqual({ start: 42, count: 1 })
    expect(pickSeeds({ env: { DWCP_SIM_SEED: String(SEED_MAX) } })).toEqual({ start: SEED_MAX, count: 1 })
  })

  it('treats an empty variable as unset', () => {
    expect(pickSeeds({ seeds: 3, env: { DWCP_SIM_SEED: '', DWCP_SIM_SEEDS: ' ' } })).toEqual({
      start: 1,
      count: 3,
    })
  })

  it.each([
    ['DWCP_SIM_SEED', { DWCP_SIM_SEED: 'abc' }],
    ['DWCP_SIM_SEED', { DWCP_SIM_SEED: '-1' }],
    ['DWCP_SIM_SEED', { DWCP_SIM_SEED: '1.5' }],
    ['DWCP_SIM_SEED', { DWCP_SIM_SEED: String(SEED_MAX + 1) }],
    ['DWCP_SIM_SEEDS', { DWCP_SIM_SEEDS: '0' }],
    ['DWCP_SIM_SEED_START', { DWCP_SIM_SEED_START: '1e3' }],
    ['seeds', { DWCP_SIM_SEED_START: String(SEED_MAX), DWCP_SIM_SEEDS: '2' }],
  ])('rejects a malformed %s', (argument, env) => {
    expect(invalidArgument(() => pickSeeds({ env }))).toBe(argument)
  })

  it.each([0, -3, 2.5])('rejects a test count of %s', (seeds) => {
    expect(invalidArgument(() => pickSeeds({ seeds, env: {} }))).toBe('seeds')
  })
})

describe('repeatCommand', () => {
  it('double-quotes a plain name', () => {
    expect(repeatCommand(7, 'src/a.test.ts', 'raft elects a leader')).toBe(
      'DWCP_SIM_SEED=7 pnpm vitest run src/a.test.ts -t "raft elects a leader"',
    )
  })

  it('escapes regex characters for -t and single-quotes what a shell would expand', () => {
    expect(repeatCommand(7, 'src/a.test.ts', 'costs $5 (1.5x)')).toBe(
      "DWCP_SIM_SEED=7 pnpm vitest run src/a.test.ts -t 'costs \\$5 \\(1\\.5x\\)'",
    )
    expect(repeatCommand(7, 'src/a.test.ts', 'it\'s "quoted"')).toBe(
      `DWCP_SIM_SEED=7 pnpm vitest run src/a.test.ts -t 'it'\\''s "quoted"'`,
    )
  })

  it('quotes a file path with spaces', () => {
    expect(repeatCommand(1, 'my tests/a.test.ts', 'x')).toBe(
      'DWCP_SIM_SEED=1 pnpm vitest run "my tests/a.test.ts" -t "x"',
    )
  })
})
