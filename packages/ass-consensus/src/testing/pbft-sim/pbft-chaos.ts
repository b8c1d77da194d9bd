import type { Random } from '@dwcp/core'
import type { PbftRejections } from '../../pbft/replica-state.js'
import { BYZANTINE_KINDS, type ByzantineKind } from './byzantine.js'
import { PbftCluster, replicaName } from './pbft-cluster.js'

/** Shape of one PBFT chaos run; every field has a default suited to a fast randomized test. */
export interface PbftChaosOptions {
  /** The faulty replica's behaviour. @default drawn from `random` */
  kind?: ByzantineKind
  /** Seed of the simulation signers. @default drawn from `random` */
  signerSeed?: number
  /** Ticks of network faults (delay, loss, duplication, reordering, partitions). @default 200 */
  chaosTicks?: number
  /** Requests each client must complete, submitted after the network heals. @default 2 */
  requestsAfterHeal?: number
  /** Ticks allowed after heal for those requests to complete. @default 2000 */
  recoveryTicksMax?: number
}

/** What a chaos run saw, for assertions and reports. */
export interface PbftChaosReport {
  kind: ByzantineKind
  /** Index of the faulty replica. */
  faulty: number
  /** Whether the faulty replica was the primary of view 0. */
  faultyPrimary: boolean
  /** Sequence numbers executed by some honest replica. */
  committed: number
  /** Client requests completed (f + 1 matching replies). */
  completed: number
  /** View changes started by honest replicas. */
  viewChanges: number
  /** Highest view an honest replica reached. */
  finalView: number
  /** Messages honest replicas dropped, by reason. */
  rejected: PbftRejections
  /** State transfers honest replicas installed. */
  stateTransfers: number
  /** Messages the faulty replica made up or altered. */
  injected: number
  /** Partitions the network went through. */
  partitions: number
  /** Ticks after heal until every client completed its requests. */
  recoveryTicks: number
}

/**
 * One randomized PBFT run with n = 4 and one faulty replica: the network delays, loses, duplicates and reorders
 * messages and partitions the replicas while clients issue requests; invariants are checked after every step.
 * Then the network heals (the faulty replica stays faulty) and every client must complete
 * `requestsAfterHeal` new requests within `recoveryTicksMax`, which needs a view change whenever the faulty
 * replica is the primary. Throws `InvariantViolationError` on a safety breach, a plain `Error` on no progress.
 */
export function runPbftChaos(random: Random, options: PbftChaosOptions = {}): PbftChaosReport {
  const kind = options.kind ?? BYZANTINE_KINDS[Math.floor(random.next() * BYZANTINE_KINDS.length)]!
  // Half the runs make the primary of view 0 faulty; an equivocating primary is mostly the first one.
  const primaryBias = kind === 'equivocatingPrimary' ? 0.8 : 0.5
  const faulty = random.next() < primaryBias ? 0 : 1 + Math.floor(random.next() * 3)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random.next() * items.length)]!
  const checkpointIntervalSeqs = pick([2, 4, 8, 128])
  const cluster = new PbftCluster({
    random,
    signerSeed: options.signerSeed ?? Math.floor(random.next() * 2 ** 31),
    byzantine: { replica: faulty, kind },
    faults: {
      delayTicksMin: 1,
      delayTicksMax: 1 + Math.floor(random.next() * 4),
      dropRate: random.next() * 0.1,
      duplicateRate: random.next() * 0.05,
    },
    pbft: {
      checkpointIntervalSeqs,
      watermarkWindowSeqs: checkpointIntervalSeqs * 2,
      maxBatchRequests: pick([1, 2, 8]),
      viewChangeTimeoutTicks: 30,
      viewChangeBackoffMax: 3,
      resendTicks: 12,
    },
  })
  const names = [...cluster.replicas.map((r) => replicaName(r.id)), ...cluster.clients.map((c) => c.clientId)]
  let partitions = 0
  const chaosTicks = options.chaosTicks ?? 200
  for (let t = 0; t < chaosTicks; t++) {
    const roll = random.next()
    if (roll < 0.02) {
      const shuffled = [...names].sort(() => random.next() - 0.5)
      const cut = 1 + Math.floor(random.next() * (names.length - 1))
      cluster.network.partition([shuffled.slice(0, cut), shuffled.slice(cut)])
      partitions++
    } else if (roll < 0.04) cluster.network.heal()
    for (let i = 0; i < cluster.clients.length; i++) if (random.next() < 0.3) cluster.submit(i)
    cluster.tick()
  }

  cluster.network.heal()
  cluster.network.setFaults({ dropRate: 0, duplicateRate: 0 })
  const requestsAfterHeal = options.requestsAfterHeal ?? 2
  // Only requests submitted after heal count; a client first finishes the request it had in flight.
  const target = cluster.clients.map(
    (c, i) => cluster.completed[i]! + (c.inFlight ? 1 : 0) + requestsAfterHeal,
  )
  const recoveryTicksMax = options.recoveryTicksMax ?? 2000
  for (let t = 1; t <= recoveryTicksMax; t++) {
    for (let i = 0; i < cluster.clients.length; i++) if (cluster.completed[i]! < target[i]!) cluster.submit(i)
    cluster.tick()
    if (cluster.completed.every((done, i) => done >= target[i]!)) {
      const honest = cluster.replicas.filter((r) => cluster.isHonest(r.id))
      const rejected: PbftRejections = {
        signature: 0,
        view: 0,
        watermark: 0,
        digest: 0,
        certificate: 0,
        sender: 0,
        client: 0,
      }
      for (const r of honest)
        for (const key of Object.keys(rejected) as (keyof PbftRejections)[]) rejected[key] += r.rejected[key]
      return {
        kind,
        faulty,
        faultyPrimary: faulty === 0,
        committed: cluster.invariants.executedSeqs,
        completed: cluster.completed.reduce((a, b) => a + b, 0),
        viewChanges: honest.reduce((sum, r) => sum + r.viewChangesStarted, 0),
        finalView: Math.max(...honest.map((r) => r.view)),
        rejected,
        stateTransfers: honest.reduce((sum, r) => sum + r.stateTransfers, 0),
        injected: cluster.byzantine?.injected ?? 0,
        partitions,
        recoveryTicks: t,
      }
    }
  }
  throw new Error(
    `no progress: clients did not complete ${requestsAfterHeal} requests each within ${recoveryTicksMax} ticks after heal (faulty r${faulty} ${kind}; ${cluster.describe()})`,
  )
}
