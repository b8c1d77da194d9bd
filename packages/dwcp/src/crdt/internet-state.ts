import { join } from 'node:path'
import { CrdtReplicator, ed25519Signer, PbftConsensus } from '@dwcp/ass-consensus'
import { type ComponentHealth, type Consensus, InvalidArgumentError, type Replicator } from '@dwcp/core'
import { ChannelPeerLink, PBFT_CHANNEL, SYNC_CHANNEL } from '../peer-link.js'
import type { ClusterOptions } from '../raft/cluster-options.js'
import type { ClusterStateContext } from '../raft/cluster-state.js'
import { ReopenableCrdtStore } from './reopenable-crdt-store.js'

/** The replicated state of a node in internet mode, and its storage health. */
export interface InternetState {
  replicator: Replicator
  /** PBFT among the members, when keys are configured. */
  consensus: Consensus | undefined
  /** View and primary, for the consensus health. */
  consensusDetails: (() => Record<string, unknown>) | undefined
  storageHealth: () => ComponentHealth
  /** Gossip counters for the replicator's health. */
  syncDetails: () => Record<string, unknown>
}

/**
 * Builds a node's state for internet mode: a CRDT (Yjs) replicator whose updates spread by gossip over AMST
 * channel `sync` to the other members (dialled on demand) and persist in `<dataDir>/state.db`, opened on start
 * and closed on stop. Rumor timestamps use the wall clock (`Date.now()`), the one clock replicas on different
 * machines share, for `dwcp_ass_sync_latency_seconds`; everything else runs on the injected clock.
 */
export function internetState(options: ClusterOptions, context: ClusterStateContext): InternetState {
  const ids = options.members.map((m) => m.id)
  if (new Set(ids).size !== ids.length)
    throw new InvalidArgumentError('cluster.members', 'a member is listed twice')
  const addresses = new Map(options.members.map((m) => [m.id, m.address]))
  const store = new ReopenableCrdtStore(join(options.dataDir, 'state.db'), context.nodeId, context.clusterId)
  const link = new ChannelPeerLink(
    SYNC_CHANNEL,
    context.nodeId,
    context.node,
    addresses,
    context.clock,
    context.logger,
  )
  const antiEntropyIntervalMs = antiEntropyIntervalFor(options.convergenceTimeoutMs, ids.length - 1)
  const crdt = new CrdtReplicator({
    id: context.nodeId,
    transport: link,
    clock: context.clock,
    random: context.random,
    store,
    originClock: { now: () => Date.now() },
    ...(antiEntropyIntervalMs === undefined ? {} : { antiEntropyIntervalMs }),
    logger: context.logger,
    ...(context.metrics ? { metrics: context.metrics } : {}),
  })
  const replicator: Replicator = {
    consistency: crdt.consistency,
    async start(startOptions) {
      store.openStore()
      try {
        await crdt.start(startOptions)
      } catch (error) {
        store.close()
        throw error
      }
    },
    async stop(stopOptions) {
      await crdt.stop(stopOptions)
      store.close()
    },
    get: (key, o) => crdt.get(key, o),
    set: (key, value, o) => crdt.set(key, value, o),
    delete: (key, o) => crdt.delete(key, o),
    observe: (prefix, listener) => crdt.observe(prefix, listener),
  }
  const pbft = options.pbft ? pbftConsensus(options, context, addresses) : undefined
  return {
    replicator,
    consensus: pbft,
    consensusDetails: pbft
      ? () => ({
          primary: pbft.leader() ?? null,
          view: pbft.host.view,
          replicas: pbft.members().map((m) => m.id),
        })
      : undefined,
    storageHealth: () =>
      store.open
        ? { status: 'up', implementation: 'sqlite', details: { path: store.path } }
        : { status: 'down', reason: 'state.db is closed (node stopped)', details: { path: store.path } },
    syncDetails: () => ({ ...crdt.stats }),
  }
}

/** The replicator's own anti-entropy cadence: one exchange with a random peer a second. */
export const DEFAULT_ANTI_ENTROPY_INTERVAL_MS = 1000

/** The fastest anti-entropy cadence a convergence bound may ask for: below it gossip would crowd the session. */
export const MIN_ANTI_ENTROPY_INTERVAL_MS = 10

/**
 * The anti-entropy interval that meets a convergence bound with `peerCount` peers: each exchange picks a random
 * peer, so reaching all `k` of them takes k·H(k) exchanges in expectation (the coupon collector); that many
 * intervals must fit in half the bound, leaving the other half for the exchange itself and for rumors. Never
 * slower than the default cadence, never faster than {@link MIN_ANTI_ENTROPY_INTERVAL_MS}; undefined (the
 * default) without a bound or without peers.
 */
export function antiEntropyIntervalFor(
  convergenceTimeoutMs: number | undefined,
  peerCount: number,
): number | undefined {
  if (convergenceTimeoutMs === undefined || peerCount < 1) return undefined
  let harmonic = 0
  for (let i = 1; i <= peerCount; i++) harmonic += 1 / i
  const intervalMs = Math.floor(convergenceTimeoutMs / 2 / (peerCount * harmonic))
  return Math.max(MIN_ANTI_ENTROPY_INTERVAL_MS, Math.min(DEFAULT_ANTI_ENTROPY_INTERVAL_MS, intervalMs))
}

/** Length of one PBFT tick (the host's default): the view-change timeout is counted in them. */
const PBFT_TICK_MS = 10

function pbftConsensus(
  options: ClusterOptions,
  context: ClusterStateContext,
  addresses: ReadonlyMap<string, string>,
): PbftConsensus {
  const keys = options.pbft
  if (!keys) throw new InvalidArgumentError('cluster.pbft', 'no keys')
  const replicas = options.members.map((m) => m.id)
  if (replicas.length < 4)
    throw new InvalidArgumentError(
      'cluster.members',
      `PBFT needs at least 4 members (3f + 1), got ${replicas.length}`,
    )
  const publicKeys = replicas.map((id) => {
    const key = keys.publicKeys[id]
    if (!key)
      throw new InvalidArgumentError(
        `cluster.pbft.publicKeys.${id}`,
        'missing: every member needs a public key',
      )
    return key
  })
  return new PbftConsensus({
    id: context.nodeId,
    replicas,
    members: options.members,
    signer: ed25519Signer(keys.privateKey, publicKeys),
    transport: new ChannelPeerLink(
      PBFT_CHANNEL,
      context.nodeId,
      context.node,
      addresses,
      context.clock,
      context.logger,
    ),
    clock: context.clock,
    tickMs: PBFT_TICK_MS,
    ...(options.viewChangeTimeoutMs === undefined
      ? {}
      : { viewChangeTimeoutTicks: Math.max(1, Math.round(options.viewChangeTimeoutMs / PBFT_TICK_MS)) }),
    logger: context.logger,
    ...(context.metrics ? { metrics: context.metrics } : {}),
  })
}
