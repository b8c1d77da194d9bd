import { describe, expect, it } from 'vitest'
import { runSeeds } from '../run-seeds.js'
import { BYZANTINE_KINDS, type ByzantineKind } from './byzantine.js'
import { runPbftChaos } from './pbft-chaos.js'

describe('pbft under chaos with one faulty replica (deterministic simulation)', () => {
  it(
    'never breaks safety and completes requests after heal',
    async () => {
      const perKind = new Map<ByzantineKind, { runs: number; faultyPrimary: number; viewChanges: number }>()
      let committed = 0
      let completed = 0
      let viewChanges = 0
      let stateTransfers = 0
      let partitions = 0
      let injected = 0
      let recoveryTicksMax = 0
      const rejected: Record<string, number> = {}
      const started = performance.now()
      const range = await runSeeds({
        testFile: import.meta.url,
        testName: 'never breaks safety and completes requests after heal',
        seeds: 1000,
        scenario: (seed, random) => {
          // Rotate through the behaviours by seed, so every kind gets the same share of the seeds.
          const kind = BYZANTINE_KINDS[seed % BYZANTINE_KINDS.length]!
          const report = runPbftChaos(random, { kind })
          // A silent primary orders nothing: the requests after heal can only have completed in a later view.
          if (kind === 'silent' && report.faultyPrimary) expect(report.finalView).toBeGreaterThan(0)
          const k = perKind.get(kind) ?? { runs: 0, faultyPrimary: 0, viewChanges: 0 }
          k.runs++
          if (report.faultyPrimary) k.faultyPrimary++
          k.viewChanges += report.viewChanges
          perKind.set(kind, k)
          committed += report.committed
          completed += report.completed
          viewChanges += report.viewChanges
          stateTransfers += report.stateTransfers
          partitions += report.partitions
          injected += report.injected
          recoveryTicksMax = Math.max(recoveryTicksMax, report.recoveryTicks)
          for (const [reason, count] of Object.entries(report.rejected))
            rejected[reason] = (rejected[reason] ?? 0) + count
        },
      })
      const seconds = (performance.now() - started) / 1000
      // The faults really happened and the groups really did work.
      expect(completed).toBeGreaterThan(range.count * 6)
      expect(committed).toBeGreaterThan(range.count * 5)
      if (range.count >= 60) {
        expect(viewChanges).toBeGreaterThan(range.count)
        expect(partitions).toBeGreaterThan(range.count)
        expect(rejected.signature).toBeGreaterThan(0)
      }
      console.log(
        `${range.count} seeds in ${seconds.toFixed(1)} s: ${committed} sequence numbers executed, ${completed} client requests completed, ` +
          `${viewChanges} view changes, ${stateTransfers} state transfers, ${partitions} partitions, ` +
          `${injected} faulty messages injected, slowest recovery ${recoveryTicksMax} ticks; rejected ${JSON.stringify(rejected)}; ` +
          `per kind ${JSON.stringify(Object.fromEntries(perKind))}`,
      )
    },
    process.env.DWCP_SIM_SEEDS ? 3_600_000 : 120_000,
  )
})
