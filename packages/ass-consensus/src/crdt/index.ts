/**
 * CRDT sync for internet mode: {@link CrdtReplicator}, an eventually consistent `Replicator` on a Yjs document,
 * spread by rumor mongering and anti-entropy over a {@link SyncPeerTransport} (channel `sync`), with its
 * versioned, bounded wire codec and its durable stores (in memory, or a table of `state.db`).
 * @module
 */
export {
  openSqliteCrdtStore,
  type SqliteCrdtStore,
  type SqliteCrdtStoreOptions,
} from '../storage/sqlite-crdt-store.js'
export { CRDT_STATE_MAP, CrdtReplicator } from './crdt-replicator.js'
export { type CrdtStore, MemoryCrdtStore } from './crdt-store.js'
export { type BoundedDiff, encodeBoundedDiff } from './diff-split.js'
export { decodeSyncMessage, encodeSyncMessage, type RumoredUpdate, type SyncMessage } from './sync-codec.js'
export type { CrdtReplicatorOptions, CrdtReplicatorStats, OriginClock, SyncPeerTransport } from './types.js'
export {
  DEFAULT_SYNC_WIRE_LIMITS,
  SYNC_WIRE_TYPES,
  SYNC_WIRE_VERSION,
  type SyncWireLimits,
} from './wire-limits.js'
