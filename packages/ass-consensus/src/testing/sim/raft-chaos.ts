import type { Random } from '@dwcp/core'
import { checkLinearizable } from '../linearizability/check-linearizable.js'
import { RaftCluster } from './raft-cluster.js'

/** Shape of one chaos run; every field has a default suited to a fast randomized test. */
export interface RaftChaosOptions {
  /** Cluster sizes to pick from. @default [3, 5] */
  sizes?: readonly number[]
  /** Ticks of faults (partitions, loss, duplication, crashes). @default 300 */
  chaosTicks?: number
  /** Ticks allowed, once everything is healed, for a new value to be applied on every node. @default 300 */
  recoveryTicksMax?: number
}

/** What a chaos run saw, for assertions and reports. */
export interface RaftChaosReport {
  size: number
  proposed: number
  committed: number
  crashes: number
  /** Linearizable reads confirmed. */
  reads: number
  partitions: number
  /** Ticks the healed cluster needed to apply the final value everywhere. */
  recoveryTicks: number
  /** Membership changes the leader accepted. */
  membershipChanges: number
  /** Snapshots a node installed from its leader to catch up. */
  snapshotsInstalled: number
  /** Client operations in the history checked for linearizability. */
  operations: number
}

/**
 * One randomized run: a cluster suffers partitions, loss, duplication, reordering and crashes (also in the
 * middle of handling a `ready()`), nodes join and leave one at a time, and logs are compacted so that lagging
 * nodes catch up by snapshot, while clients write and read three keys; invariants are checked after every step.
 * Then the network heals, every node restarts, and a final value must be applied on every voter within
 * `recoveryTicksMax`; the clients' history must be linearizable. Throws `InvariantViolationError` on a safety
 * breach, a plain `Error` on no progress or a history that is not linearizable.
 */
export function runRaftChaos(random: Random, options: RaftChaosOptions = {}): RaftChaosReport {
  const sizes = options.sizes ?? [3, 5]
  const size = sizes[Math.floor(random.next() * sizes.length)] ?? 3
  const ids = Array.from({ length: size }, (_, i) => `n${i + 1}`)
  const spareIds = [`n${size + 1}`, `n${size + 2}`]
  const everyId = [...ids, ...spareIds]
  const keys = ['a', 'b', 'c']
  const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(random.next() * items.length)]
  const cluster = new RaftCluster({
    ids,
    spareIds,
    random,
    compactEveryEntries: pick([Number.POSITIVE_INFINITY, 4, 16, 64]),
    faults: {
      delayTicksMin: 1,
      delayTicksMax: 1 + Math.floor(random.next() * 4),
      dropRate: random.next() * 0.15,
      duplicateRate: random.next() * 0.05,
    },
    crashInReadyRate: random.next() * 0.002,
    // Small batches let a follower acknowledge an old entry without the new leader's entry behind it: the
    // case where counting replicas of an earlier term would commit too early (Figure 8).
    raft: { maxEntriesPerMessage: pick([1, 2, 64]) ?? 64 },
  })
  const report: RaftChaosReport = {
    size,
    proposed: 0,
    committed: 0,
    crashes: 0,
    partitions: 0,
    recoveryTicks: 0,
    reads: 0,
    membershipChanges: 0,
    snapshotsInstalled: 0,
    operations: 0,
  }

  const chaosTicks = options.chaosTicks ?? 300
  for (let t = 0; t < chaosTicks; t++) {
    const roll = random.next()
    if (roll < 0.02) {
      const shuffled = [...everyId].sort(() => random.next() - 0.5)
      const cut = 1 + Math.floor(random.next() * (everyId.length - 1))
      cluster.network.partition([shuffled.slice(0, cut), shuffled.slice(cut)])
      report.partitions++
    } else if (roll < 0.04) {
      cluster.network.heal()
    } else if (roll < 0.05) {
      const victim = pick(cluster.liveIds())
      if (victim) {
        cluster.crash(victim)
        report.crashes++
      }
    } else if (roll < 0.07) {
      // Leaders crash more often than the rest: deposed leaders with half-replicated entries are what the
      // commit rule of §5.4.2 guards against (Figure 8).
      const leader = cluster.leader()
      if (leader) {
        cluster.crash(leader.id)
        report.crashes++
      }
    } else if (roll < 0.12) {
      const back = pick(cluster.crashedIds())
      if (back) cluster.restart(back)
    } else if (roll < 0.13) {
      const to = pick(cluster.leader()?.voters ?? ids)
      if (to) cluster.transfer(to)
    } else if (roll < 0.14) {
      // One server at a time, between 3 and every node of the pool.
      const voters = cluster.leader()?.voters ?? []
      const outside = everyId.filter((id) => !voters.includes(id))
      const add = voters.length <= 3 || (outside.length > 0 && random.next() < 0.5)
      const changed = add
        ? cluster.addVoter(pick(outside) ?? '')
        : voters.length > 3 && cluster.removeVoter(pick(voters) ?? '')
      if (changed) report.membershipChanges++
    }
    if (random.next() < 0.3 && cluster.propose(`v${report.proposed + 1}`, pick(keys))) report.proposed++
    if (random.next() < 0.1) cluster.read(`r${t}`, pick(keys))
    cluster.tick()
  }

  // Heal everything: the cluster must then elect a leader and commit a new value on every node.
  cluster.network.heal()
  cluster.network.setFaults({ dropRate: 0, duplicateRate: 0 })
  cluster.setCrashInReadyRate(0)
  for (const id of cluster.crashedIds()) cluster.restart(id)
  // A proposal accepted by a leader that is then deposed can be lost, as in any Raft client: retry under a
  // fresh value every few ticks, and count progress once any of them is applied on every node.
  const retryTicks = 20
  let attempts = 0
  const recoveryTicksMax = options.recoveryTicksMax ?? 300
  for (let t = 1; t <= recoveryTicksMax; t++) {
    if (t % retryTicks === 1 || attempts === 0) {
      if (cluster.propose(`final${attempts + 1}`)) attempts++
    }
    cluster.tick()
    const voters = cluster.leader()?.voters ?? ids
    const done = (value: string) => voters.every((id) => cluster.appliedValues(id).includes(value))
    if (Array.from({ length: attempts }, (_, i) => `final${i + 1}`).some(done)) {
      report.recoveryTicks = t
      report.committed = cluster.invariants.committedCount
      report.reads = cluster.readsConfirmed
      report.snapshotsInstalled = cluster.snapshotsInstalled
      checkValidity(cluster, everyId, report.proposed, attempts)
      const history = cluster.clients.history
      report.operations = history.length
      const verdict = checkLinearizable(history)
      if (!verdict.ok) throw new Error(`the clients' history is not linearizable (key ${verdict.key})`)
      return report
    }
  }
  throw new Error(
    `no progress: no final value applied on every node ${recoveryTicksMax} ticks after heal (${cluster.describe()})`,
  )
}

/** Every applied value was proposed, and none was applied twice on one node. */
function checkValidity(cluster: RaftCluster, ids: readonly string[], proposed: number, finals: number): void {
  for (const id of ids) {
    const values = cluster.appliedValues(id)
    if (new Set(values).size !== values.length) throw new Error(`${id} applied a value twice`)
    for (const value of values) {
      const final = value.startsWith('final')
      const n = Number(value.slice(final ? 5 : 1))
      if (!((final || value.startsWith('v')) && n >= 1 && n <= (final ? finals : proposed)))
        throw new Error(`${id} applied unproposed ${value}`)
    }
  }
}
