import { METRIC_NAMES, type Random } from '@dwcp/core'
import { memoryMetrics } from '@dwcp/core/testing'
import * as Y from 'yjs'
import { CRDT_STATE_MAP } from '../../crdt/crdt-replicator.js'
import type { CrdtReplicatorOptions } from '../../crdt/types.js'
import { InvariantViolationError } from '../sim/invariant-violation-error.js'
import { CrdtSimCluster } from './crdt-sim-cluster.js'
import { percentile } from './percentile.js'

/** Shape of one convergence run; every field has a default (64 replicas on a lossy WAN with a partition). */
export interface CrdtConvergenceOptions {
  /** Number of replicas. @default 64 */
  replicas?: number
  /** Simulated milliseconds per tick. @default 10 */
  tickMs?: number
  /** Mean one-way delay. @default 150 (RTT 100–500 ms with the default jitter) */
  oneWayDelayMs?: number
  /** Half-width of the uniform one-way delay spread (reorders messages). @default 100 */
  jitterMs?: number
  /** Probability that a message is lost. @default 0.05 */
  lossRate?: number
  /** Probability that a message is delivered twice. @default 0.01 */
  duplicateRate?: number
  /** Writes (sets and deletes) spread uniformly over the write window, each on a random replica. @default 120 */
  writes?: number
  /** Simulated length of the write window. @default 10000 */
  writeWindowMs?: number
  /** Distinct keys written (few keys: many concurrent writes to one key). @default 32 */
  keys?: number
  /** Share of writes that are deletes. @default 0.1 */
  deleteRate?: number
  /** Whether the network splits into 2–3 random groups during the window, healing at its end. @default true */
  partition?: boolean
  /** Simulated time allowed, after heal and the last write, to converge. @default 60000 */
  convergenceTimeoutMs?: number
  /** Period of the convergence check (the measurement's resolution). @default 50 */
  checkEveryMs?: number
  /** Simulated time the converged state must then stay unchanged. @default 2000 */
  confirmMs?: number
  /** Replicator options shared by every replica (gossip period, fanout, rounds, anti-entropy period…). */
  replicator?: Partial<Omit<CrdtReplicatorOptions, 'id' | 'transport' | 'clock' | 'random' | 'metrics'>>
}

/** What a convergence run measured. */
export interface CrdtConvergenceReport {
  replicas: number
  /** Sets and deletes made. */
  writes: number
  /** Groups the partition made (1: no partition). */
  partitionGroups: number
  /** When the partition healed (0 without one), in simulated ms. */
  healAtMs: number
  /** When the last write was made, in simulated ms. */
  lastWriteAtMs: number
  /** Simulated ms from the later of heal and last write until every replica held the same state. */
  convergenceMs: number
  /** Keys in the converged state. */
  keys: number
  /** Network counters: messages sent, delivered, dropped (loss and partition), duplicated, cut in flight. */
  messages: { sent: number; delivered: number; dropped: number; duplicated: number; cut: number }
  /** Bytes of every gossip message sent. */
  bytesSent: number
  /** Largest gossip message seen on the network, in bytes. */
  messageBytesMax: number
  /** `dwcp_ass_sync_latency_seconds` as the replicas observed it (rumored updates, origin to apply). */
  syncLatencySeconds: { count: number; p50: number; p90: number; max: number }
}

/**
 * One seeded run: replicas on a lossy, jittery network; random writers on random replicas during the write
 * window, while a partition splits the cluster; heal; then every replica must reach the same state within the
 * timeout, that state must hold every write any replica kept (the union of all replicas' documents), and it
 * must stay unchanged for `confirmMs`. Throws `InvariantViolationError` otherwise. Time is simulated.
 */
export async function runCrdtConvergence(
  random: Random,
  options: CrdtConvergenceOptions = {},
): Promise<CrdtConvergenceReport> {
  const count = options.replicas ?? 64
  const tickMs = options.tickMs ?? 10
  const delayMs = options.oneWayDelayMs ?? 150
  const jitterMs = options.jitterMs ?? 100
  const windowMs = options.writeWindowMs ?? 10_000
  const writes = options.writes ?? 120
  const keys = options.keys ?? 32
  const deleteRate = options.deleteRate ?? 0.1
  const checkEveryMs = options.checkEveryMs ?? 50
  // Checks every call as production's registry does, so a replicator recording a wrong label fails the run.
  const metrics = memoryMetrics()
  const ids = Array.from({ length: count }, (_, i) => `r${i}`)
  const cluster = new CrdtSimCluster({
    ids,
    random,
    tickMs,
    metrics,
    replicator: options.replicator,
    faults: {
      delayTicksMin: Math.max(1, Math.round((delayMs - jitterMs) / tickMs)),
      delayTicksMax: Math.max(1, Math.round((delayMs + jitterMs) / tickMs)),
      dropRate: options.lossRate ?? 0.05,
      duplicateRate: options.duplicateRate ?? 0.01,
    },
  })
  let messageBytesMax = 0
  const send = cluster.network.send.bind(cluster.network)
  cluster.network.send = (packet, nowTick) => {
    messageBytesMax = Math.max(messageBytesMax, packet.bytes.byteLength)
    send(packet, nowTick)
  }
  await cluster.start()

  const writeTimesMs = Array.from({ length: writes }, () => Math.floor(random.next() * windowMs)).sort(
    (a, b) => a - b,
  )
  const partitioned = options.partition ?? true
  const partitionAtMs = partitioned ? Math.floor(windowMs * (0.1 + 0.3 * random.next())) : Number.NaN
  const groupCount = partitioned ? 2 + Math.floor(random.next() * 2) : 1
  const healAtMs = partitioned ? windowMs : 0
  let next = 0
  let lastWriteAtMs = 0
  while (cluster.nowMs < windowMs) {
    cluster.step()
    const now = cluster.nowMs
    if (partitioned && now >= partitionAtMs && now - tickMs < partitionAtMs) {
      const groups: string[][] = Array.from({ length: groupCount }, () => [])
      for (const id of ids) groups[Math.floor(random.next() * groupCount)]!.push(id)
      cluster.network.partition(groups)
    }
    for (; next < writeTimesMs.length && writeTimesMs[next]! < now; next++) {
      const replica = cluster.replicas[Math.floor(random.next() * count)]!
      const key = `vm/${Math.floor(random.next() * keys)}`
      const write =
        random.next() < deleteRate ? replica.delete(key) : replica.set(key, { seq: next, by: replica.id })
      // The replicator writes synchronously; a rejection here is a bug, surfaced by the final check.
      write.catch(() => {})
      lastWriteAtMs = now
    }
  }
  if (partitioned) cluster.network.heal()

  const settledAtMs = Math.max(healAtMs, lastWriteAtMs)
  const deadlineMs = settledAtMs + (options.convergenceTimeoutMs ?? 60_000)
  let agreed: string | undefined
  while (agreed === undefined && cluster.nowMs < deadlineMs) {
    const checkAtMs = cluster.nowMs + checkEveryMs
    while (cluster.nowMs < checkAtMs) cluster.step()
    agreed = cluster.agreedState()
  }
  const convergedAtMs = cluster.nowMs
  if (agreed === undefined) {
    throw new InvariantViolationError(
      'convergence',
      `${cluster.disagreeing()} of ${count} replicas still differ ${convergedAtMs - settledAtMs} ms after heal`,
    )
  }
  const union = unionState(cluster)
  if (agreed !== union)
    throw new InvariantViolationError('convergence', `the agreed state lacks writes: ${agreed} vs ${union}`)
  const confirmUntilMs = cluster.nowMs + (options.confirmMs ?? 2000)
  while (cluster.nowMs < confirmUntilMs) cluster.step()
  if (cluster.agreedState() !== agreed)
    throw new InvariantViolationError('convergence', 'the converged state changed with no new write')
  await cluster.stop()

  const sorted = metrics
    .series(METRIC_NAMES.assSyncLatency)
    .flatMap((series) => series.observations)
    .sort((a, b) => a - b)
  return {
    replicas: count,
    writes,
    partitionGroups: groupCount,
    healAtMs,
    lastWriteAtMs,
    convergenceMs: convergedAtMs - settledAtMs,
    keys: Object.keys(JSON.parse(agreed) as object).length,
    messages: { ...cluster.network.stats },
    bytesSent: cluster.replicas.reduce((sum, replica) => sum + replica.stats.bytesSent, 0),
    messageBytesMax,
    syncLatencySeconds: {
      count: sorted.length,
      p50: percentile(sorted, 0.5),
      p90: percentile(sorted, 0.9),
      max: sorted.at(-1) ?? 0,
    },
  }
}

/** Every write any replica kept, merged: what the converged state must equal (as sorted JSON text). */
function unionState(cluster: CrdtSimCluster): string {
  const doc = new Y.Doc()
  for (const replica of cluster.replicas) Y.applyUpdate(doc, replica.encodeState())
  const state = doc.getMap(CRDT_STATE_MAP).toJSON() as Record<string, unknown>
  return JSON.stringify(
    Object.fromEntries(
      Object.keys(state)
        .sort()
        .map((key) => [key, state[key]]),
    ),
  )
}
