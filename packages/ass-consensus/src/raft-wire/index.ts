/**
 * The binary encoding of Raft messages between nodes: {@link encodeRaftMessage} and the bounded, canonical
 * {@link decodeRaftMessage}.
 * @module
 */
export { decodeRaftMessage, encodeRaftMessage } from './raft-codec.js'
export {
  DEFAULT_RAFT_WIRE_LIMITS,
  RAFT_WIRE_TYPES,
  RAFT_WIRE_VERSION,
  type RaftWireLimits,
} from './wire-limits.js'
