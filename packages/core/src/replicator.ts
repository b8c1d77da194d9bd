import type { Startable } from './lifecycle.js'

/** A JSON value: what replicated state holds. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }

/** One change to replicated state, as observers see it. */
export interface StateChange {
  /** The key that changed. */
  key: string
  /** The new value, or `undefined` when deleted. */
  value: JsonValue | undefined
}

/**
 * Replicated key/value state (ASS). Raft-backed (linearizable) in datacenter mode, CRDT-backed (eventually
 * consistent, converging) in internet mode.
 */
export interface Replicator extends Startable {
  /** `linearizable` (Raft) or `eventual` (CRDT). */
  readonly consistency: 'linearizable' | 'eventual'
  /** Reads a key. */
  get(key: string, options?: { signal?: AbortSignal }): Promise<JsonValue | undefined>
  /** Writes a key; resolves once the write is durable by the backend's rule. */
  set(key: string, value: JsonValue, options?: { signal?: AbortSignal }): Promise<void>
  /** Deletes a key. */
  delete(key: string, options?: { signal?: AbortSignal }): Promise<void>
  /** Calls `listener` for every change of a key starting with `prefix`; returns an unsubscribe function. */
  observe(prefix: string, listener: (change: StateChange) => void): () => void
}
