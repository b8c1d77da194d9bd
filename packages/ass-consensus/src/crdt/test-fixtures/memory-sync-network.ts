import { type Clock, type ManualClock, manualClock, seededRandom } from '@dwcp/core'
import { MemoryPeerNetwork } from '../../host/test-fixtures/memory-peer-network.js'
import { CrdtReplicator } from '../crdt-replicator.js'
import type { CrdtStore } from '../crdt-store.js'
import type { CrdtReplicatorOptions } from '../types.js'

/** The shared in-memory network with the sync tests' default latency of 10 ms, naming `ids` as peers. */
export class MemorySyncNetwork extends MemoryPeerNetwork {
  constructor(clock: Clock, ids: readonly string[], latencyMs = 10) {
    super(clock, { latencyMs, ids })
  }
}

/** A small cluster of CRDT replicas on one manual clock, for unit tests. */
export interface CrdtTestCluster {
  clock: ManualClock
  network: MemorySyncNetwork
  replicas: CrdtReplicator[]
  /** Creates (not starts) a replica `id` of this cluster with the given store and options. */
  create(id: string, store?: CrdtStore, options?: Partial<CrdtReplicatorOptions>): CrdtReplicator
}

/** Creates replicas `ids` (not started) sharing a manual clock and a {@link MemorySyncNetwork}. */
export function crdtTestCluster(
  ids: readonly string[],
  options: Partial<CrdtReplicatorOptions> = {},
  seed = 1,
): CrdtTestCluster {
  const clock = manualClock()
  const random = seededRandom(seed)
  const network = new MemorySyncNetwork(clock, ids)
  const create = (id: string, store?: CrdtStore, extra: Partial<CrdtReplicatorOptions> = {}) =>
    new CrdtReplicator({ id, transport: network.transport(id), clock, random, store, ...options, ...extra })
  return { clock, network, replicas: ids.map((id) => create(id)), create }
}
