import { describe, expect, it } from 'vitest'
import { runSeeds } from '../run-seeds.js'
import { runRaftChaos } from './raft-chaos.js'

describe('raft under chaos (deterministic simulation)', () => {
  it(
    'never breaks safety and makes progress after heal',
    async () => {
      let committed = 0
      let crashes = 0
      let partitions = 0
      let reads = 0
      let membershipChanges = 0
      let snapshotsInstalled = 0
      let operations = 0
      const range = await runSeeds({
        testFile: import.meta.url,
        testName: 'never breaks safety and makes progress after heal',
        seeds: 10_000,
        scenario: (_seed, random) => {
          const report = runRaftChaos(random)
          committed += report.committed
          crashes += report.crashes
          partitions += report.partitions
          reads += report.reads
          membershipChanges += report.membershipChanges
          snapshotsInstalled += report.snapshotsInstalled
          operations += report.operations
        },
      })
      // The faults really happened and the clusters really committed work.
      expect(crashes).toBeGreaterThan(range.count / 2)
      expect(partitions).toBeGreaterThan(range.count)
      expect(committed).toBeGreaterThan(range.count * 10)
      expect(reads).toBeGreaterThan(range.count)
      expect(membershipChanges).toBeGreaterThan(range.count)
      expect(snapshotsInstalled).toBeGreaterThan(range.count / 10)
      // Every run's history was checked for linearizability.
      expect(operations).toBeGreaterThan(range.count * 50)
      console.log(
        `${range.count} seeds: ${committed} entries committed, ${crashes} crashes, ${partitions} partitions, ` +
          `${membershipChanges} membership changes, ${snapshotsInstalled} snapshots installed, ${reads} reads, ` +
          `${operations} client operations checked for linearizability`,
      )
    },
    process.env.DWCP_SIM_SEEDS ? 3_600_000 : 120_000,
  )
})
