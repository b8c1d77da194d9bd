/** Bounds a decoder enforces before it allocates anything for a received gossip message. */
export interface SyncWireLimits {
  /** Largest encoded message accepted; bigger ones are refused with `FrameTooLargeError`. @default 1048576 */
  maxMessageBytes: number
  /** Most updates in one rumor batch. @default 4096 */
  maxUpdatesPerBatch: number
}

/** The limits used when a caller gives none: 1 MiB per message, 4096 updates per batch. */
export const DEFAULT_SYNC_WIRE_LIMITS: Readonly<SyncWireLimits> = Object.freeze({
  maxMessageBytes: 1024 * 1024,
  maxUpdatesPerBatch: 4096,
})

/** Version byte of the gossip encoding; a decoder refuses any other. */
export const SYNC_WIRE_VERSION = 1

/** Type byte of each gossip message. Values are part of the wire format: never renumber one. */
export const SYNC_WIRE_TYPES = {
  updates: 1,
  stateVectorRequest: 2,
  diff: 3,
} as const

/**
 * Most bytes a batch adds around its updates' own bytes, per update: a presence byte, an 8-byte varint
 * timestamp and a 5-byte varint length (updates are below 2^35 bytes). The packer uses it to stay in bounds.
 */
export const UPDATE_OVERHEAD_BYTES_MAX = 14

/** Most bytes of a message header: version, type and an 8-byte varint count. */
export const HEADER_BYTES_MAX = 10
