import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { seededRandom } from '@dwcp/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runSeeds } from './run-seeds.js'
import { SeedFailureError } from './seed-failure-error.js'
import { SEED_ENV } from './seed-range.js'

const TEST_FILE = 'src/testing/run-seeds.test.ts'
const saved = new Map<string, string | undefined>()

// The suite itself may run under DWCP_SIM_* (someone repeating another failure): clear them, restore after.
beforeEach(() => {
  for (const name of Object.values(SEED_ENV)) {
    saved.set(name, process.env[name])
    delete process.env[name]
  }
})
afterEach(() => {
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
})

async function failure(promise: Promise<unknown>): Promise<SeedFailureError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(SeedFailureError)
  return error as SeedFailureError
}

describe('runSeeds', () => {
  it('runs seeds 1..N, 100 by default', async () => {
    const seen: number[] = []
    const scenario = (seed: number) => void seen.push(seed)
    expect(await runSeeds({ testFile: TEST_FILE, testName: 'x', seeds: 5, scenario })).toEqual({
      start: 1,
      count: 5,
    })
    expect(seen).toEqual([1, 2, 3, 4, 5])
    seen.length = 0
    await runSeeds({ testFile: TEST_FILE, testName: 'x', scenario })
    expect(seen).toHaveLength(100)
    expect(seen.at(-1)).toBe(100)
  })

  it('awaits async scenarios one seed at a time', async () => {
    const events: string[] = []
    await runSeeds({
      testFile: TEST_FILE,
      testName: 'x',
      seeds: 3,
      scenario: async (seed) => {
        events.push(`start ${seed}`)
        await new Promise((resolve) => setImmediate(resolve))
        events.push(`end ${seed}`)
      },
    })
    expect(events).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3'])
  })

  it('stops at the first failing seed and names it with the command that repeats it', async () => {
    const seen: number[] = []
    const cause = new Error('invariant broken: two leaders in term 3')
    const error = await failure(
      runSeeds({
        testFile: TEST_FILE,
        testName: 'raft (elections) keep one leader',
        seeds: 10,
        scenario: (seed) => {
          seen.push(seed)
          if (seed === 4) throw cause
        },
      }),
    )
    expect(seen).toEqual([1, 2, 3, 4])
    expect(error.seed).toBe(4)
    expect(error.cause).toBe(cause)
    expect(error.command).toBe(
      `DWCP_SIM_SEED=4 pnpm vitest run ${TEST_FILE} -t "raft \\(elections\\) keep one leader"`,
    )
    expect(error.message).toContain('seed 4 failed: invariant broken: two leaders in term 3')
    expect(error.message).toContain(error.command)
  })

  it('reports a rejected async scenario the same way', async () => {
    const error = await failure(
      runSeeds({
        testFile: TEST_FILE,
        testName: 'async',
        seeds: 3,
        scenario: async (seed) => {
          if (seed === 2) throw new Error('late failure')
        },
      }),
    )
    expect(error.seed).toBe(2)
    expect(error.message).toContain('late failure')
  })

  it('makes a file URL relative to the working directory in the command', async () => {
    const error = await failure(
      runSeeds({
        testFile: import.meta.url,
        testName: 'url',
        seeds: 1,
        scenario: () => Promise.reject('no'),
      }),
    )
    // Run from this package that is src/testing/run-seeds.test.ts; from the repository root, packages/… .
    const fromCwd = relative(process.cwd(), fileURLToPath(import.meta.url))
    expect(fromCwd).toMatch(/(^|\/)src\/testing\/run-seeds\.test\.ts$/)
    expect(error.command).toBe(`DWCP_SIM_SEED=1 pnpm vitest run ${fromCwd} -t "url"`)
    expect(error.message).toContain('seed 1 failed: no')
  })

  it('runs only the seed in DWCP_SIM_SEED, the command a failure printed', async () => {
    process.env.DWCP_SIM_SEED = '1234'
    const seen: number[] = []
    await runSeeds({
      testFile: TEST_FILE,
      testName: 'x',
      seeds: 50,
      scenario: (seed) => void seen.push(seed),
    })
    expect(seen).toEqual([1234])
  })

  it('runs DWCP_SIM_SEEDS seeds from DWCP_SIM_SEED_START, overriding the count in the test', async () => {
    process.env.DWCP_SIM_SEEDS = '3'
    process.env.DWCP_SIM_SEED_START = '500'
    const seen: number[] = []
    await runSeeds({
      testFile: TEST_FILE,
      testName: 'x',
      seeds: 50,
      scenario: (seed) => void seen.push(seed),
    })
    expect(seen).toEqual([500, 501, 502])
  })

  it('reads an injected env instead of process.env when given', async () => {
    process.env.DWCP_SIM_SEED = '9'
    const seen: number[] = []
    const env = { DWCP_SIM_SEEDS: '2' }
    await runSeeds({ testFile: TEST_FILE, testName: 'x', env, scenario: (seed) => void seen.push(seed) })
    expect(seen).toEqual([1, 2])
  })

  it('gives each seed its own seededRandom: the same seed draws the same sequence', async () => {
    const draws = new Map<number, number[]>()
    const scenario = (seed: number, random: { next(): number }) => {
      draws.set(seed, [random.next(), random.next(), random.next()])
    }
    await runSeeds({ testFile: TEST_FILE, testName: 'x', seeds: 3, scenario })
    const first = new Map(draws)
    await runSeeds({ testFile: TEST_FILE, testName: 'x', seeds: 3, scenario })
    expect(draws).toEqual(first)
    const reference = seededRandom(2)
    expect(draws.get(2)).toEqual([reference.next(), reference.next(), reference.next()])
    expect(draws.get(1)).not.toEqual(draws.get(2))
  })

  it('repeats a failure exactly when run with the seed it printed', async () => {
    const scenario = (_seed: number, random: { next(): number }) => {
      const draw = random.next()
      if (draw < 0.05) throw new Error(`drew ${draw}`)
    }
    const error = await failure(runSeeds({ testFile: TEST_FILE, testName: 'rare', seeds: 1000, scenario }))
    process.env.DWCP_SIM_SEED = String(error.seed)
    const repeated = await failure(runSeeds({ testFile: TEST_FILE, testName: 'rare', seeds: 1000, scenario }))
    expect(repeated.seed).toBe(error.seed)
    expect(repeated.message).toBe(error.message)
  })
})
