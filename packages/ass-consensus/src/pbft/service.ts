import { ByteWriter } from '../raft-wire/byte-writer.js'
import { sha256 } from './digest.js'
import { encodeClientRequest } from './pbft-codec.js'
import type { ClientRequest, ReplyRecord } from './types.js'

/**
 * The replicated service a replica executes committed requests on. Execution is synchronous because the
 * reply to the client and the checkpoint digest must reflect exactly the requests executed so far.
 */
export interface PbftService {
  /** Executes one request (never twice: the replica deduplicates) and returns the result for the client. */
  execute(request: ClientRequest, seq: number): Uint8Array
  /** The whole service state, for checkpoint digests and state transfer to a lagging replica. */
  snapshot(): Uint8Array
  /** Replaces the state by a snapshot a quorum certified (state transfer). */
  restore(snapshot: Uint8Array): void
}

/** A {@link PbftService} that is only a running hash of every executed request. */
export interface RunningHashService extends PbftService {
  /** The current hash (32 bytes). */
  readonly hash: Uint8Array
}

/**
 * The default service: its state is a running SHA-256 over the executed requests, and each result is the
 * hash after that request. Two replicas that executed different histories reply differently, so divergence
 * is visible to clients and in checkpoints.
 */
export function runningHashService(): RunningHashService {
  let hash: Uint8Array = new Uint8Array(32)
  return {
    get hash() {
      return hash
    },
    execute(request) {
      hash = sha256(hash, encodeClientRequest(request))
      return hash
    },
    snapshot: () => hash.slice(),
    restore(snapshot) {
      hash = snapshot.slice()
    },
  }
}

/**
 * The digest a checkpoint certifies: SHA-256 over the service snapshot and the last reply per client (sorted
 * by client id). The reply table is part of the state so that deduplication survives a state transfer.
 */
export function stateDigest(snapshot: Uint8Array, replies: readonly ReplyRecord[]): Uint8Array {
  const w = new ByteWriter()
  w.bytes(snapshot)
  w.varint('replies', replies.length)
  for (const reply of replies) {
    w.id('clientId', reply.clientId)
    w.varint('timestamp', reply.timestamp)
    w.bytes(reply.result)
  }
  return sha256(w.finish())
}

/** The reply table in its canonical order. */
export function sortedReplies(replies: Iterable<ReplyRecord>): ReplyRecord[] {
  return [...replies].sort((a, b) => (a.clientId < b.clientId ? -1 : a.clientId > b.clientId ? 1 : 0))
}
