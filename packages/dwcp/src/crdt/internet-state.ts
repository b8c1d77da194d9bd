import { join } from 'node:path'
import { CrdtReplicator } from '@dwcp/ass-consensus'
import { type ComponentHealth, InvalidArgumentError, type Replicator } from '@dwcp/core'
import { ChannelPeerLink, SYNC_CHANNEL } from '../peer-link.js'
import type { ClusterOptions } from '../raft/cluster-options.js'
import type { ClusterStateContext } from '../raft/cluster-state.js'
import { ReopenableCrdtStore } from './reopenable-crdt-store.js'

/** The replicated state of a node in internet mode, and its storage health. */
export interface InternetState {
  replicator: Replicator
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
  const crdt = new CrdtReplicator({
    id: context.nodeId,
    transport: link,
    clock: context.clock,
    random: context.random,
    store,
    originClock: { now: () => Date.now() },
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
  return {
    replicator,
    storageHealth: () =>
      store.open
        ? { status: 'up', implementation: 'sqlite', details: { path: store.path } }
        : { status: 'down', reason: 'state.db is closed (node stopped)', details: { path: store.path } },
    syncDetails: () => ({ ...crdt.stats }),
  }
}
