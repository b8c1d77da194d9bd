/** Bounds a decoder enforces before it allocates anything for a received Raft message. */
export interface RaftWireLimits {
  /**
   * Largest encoded message accepted; bigger ones are refused with `FrameTooLargeError`. It must hold the
   * largest snapshot the group sends in one message.
   * @default 67108864 (64 MiB)
   */
  maxMessageBytes: number
  /** Most log entries in one append message (the sender's `maxEntriesPerMessage` must not exceed it). @default 4096 */
  maxEntries: number
  /** Longest node id, in UTF-8 bytes. @default 255 */
  maxIdBytes: number
}

/** The limits used when a caller gives none. */
export const DEFAULT_RAFT_WIRE_LIMITS: Readonly<RaftWireLimits> = Object.freeze({
  maxMessageBytes: 64 * 1024 * 1024,
  maxEntries: 4096,
  maxIdBytes: 255,
})

/** Version byte of the encoding; a decoder refuses any other. */
export const RAFT_WIRE_VERSION = 1

/** Type byte of each message type. Values are part of the wire format: never renumber one. */
export const RAFT_WIRE_TYPES = {
  vote: 1,
  preVote: 2,
  voteResponse: 3,
  preVoteResponse: 4,
  append: 5,
  appendResponse: 6,
  timeoutNow: 7,
  snapshot: 8,
} as const

/** Encoding of an optional boolean or optional field: absent, or present (with the boolean's value). */
export const OPTIONAL_ABSENT = 0
/** An optional boolean that is present and false, or an optional field that is present. */
export const OPTIONAL_FALSE_OR_PRESENT = 1
/** An optional boolean that is present and true. */
export const OPTIONAL_TRUE = 2

/** Flag bits of an entry's kind byte. */
export const ENTRY_HAS_DATA = 0b01
/** The entry carries a voter list (a membership change). */
export const ENTRY_HAS_VOTERS = 0b10
