import { seededRandom } from '@dwcp/core'
import { describe, expect, it } from 'vitest'
import { runSeeds } from '../run-seeds.js'
import { runCrdtConvergence } from './crdt-convergence.js'
import { percentile } from './percentile.js'

/** The operations runbook's bound for internet mode (`sync.convergence_timeout: 30s`). */
const RUNBOOK_CONVERGENCE_MS = 30_000

describe('CRDT convergence (deterministic simulation)', () => {
  it(
    'converges 64 replicas to one state after loss, jitter and a partition',
    async () => {
      let partitions = 0
      let dropped = 0
      const range = await runSeeds({
        testFile: import.meta.url,
        testName: 'converges 64 replicas to one state after loss, jitter and a partition',
        seeds: 20,
        scenario: async (_seed, random) => {
          const report = await runCrdtConvergence(random)
          if (report.partitionGroups > 1) partitions++
          dropped += report.messages.dropped
          expect(report.keys).toBeGreaterThan(0)
        },
      })
      // The faults really happened.
      expect(partitions).toBe(range.count)
      expect(dropped).toBeGreaterThan(range.count * 100)
    },
    process.env.DWCP_SIM_SEEDS ? 3_600_000 : 120_000,
  )

  it(
    'converges within the runbook bound under 200 ms RTT and 5 % loss',
    async () => {
      const convergenceMs: number[] = []
      const latencyP90s: number[] = []
      let messages = 0
      let messageBytesMax = 0
      const range = await runSeeds({
        testFile: import.meta.url,
        testName: 'converges within the runbook bound under 200 ms RTT and 5 % loss',
        seeds: 20,
        scenario: async (_seed, random) => {
          const report = await runCrdtConvergence(random, {
            oneWayDelayMs: 100,
            jitterMs: 10,
            lossRate: 0.05,
          })
          convergenceMs.push(report.convergenceMs)
          latencyP90s.push(report.syncLatencySeconds.p90)
          messages += report.messages.sent
          messageBytesMax = Math.max(messageBytesMax, report.messageBytesMax)
        },
      })
      const sorted = [...convergenceMs].sort((a, b) => a - b)
      const latencies = [...latencyP90s].sort((a, b) => a - b)
      console.log(
        `${range.count} seeds × 64 replicas, RTT 180–220 ms, 5 % loss, partition healed at 10 s: ` +
          `convergence after heal p50 ${percentile(sorted, 0.5)} ms, p90 ${percentile(sorted, 0.9)} ms, ` +
          `max ${sorted.at(-1)} ms (simulated); rumor sync latency p90 per run: median ` +
          `${percentile(latencies, 0.5).toFixed(3)} s, max ${latencies.at(-1)?.toFixed(3)} s; ` +
          `${Math.round(messages / range.count)} messages per run, largest ${messageBytesMax} bytes`,
      )
      expect(sorted.at(-1)).toBeLessThan(RUNBOOK_CONVERGENCE_MS)
    },
    process.env.DWCP_SIM_SEEDS ? 3_600_000 : 120_000,
  )
})

describe('CRDT simulation replay', () => {
  it('gives the same report for the same seed', async () => {
    const options = { replicas: 16, writes: 40, writeWindowMs: 4000 }
    const first = await runCrdtConvergence(seededRandom(12345), options)
    const second = await runCrdtConvergence(seededRandom(12345), options)
    expect(second).toEqual(first)
    expect(first.messages.sent).toBeGreaterThan(0)
  })
})
