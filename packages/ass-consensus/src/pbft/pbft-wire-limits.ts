/** Bounds the PBFT decoder enforces before it allocates anything for a received message. */
export interface PbftWireLimits {
  /**
   * Largest encoded message accepted; bigger ones are refused with `FrameTooLargeError`. It must hold the
   * largest state transfer (service snapshot plus reply table).
   * @default 16777216 (16 MiB)
   */
  maxMessageBytes: number
  /** Most requests in one batch (the primary's `maxBatchRequests` must not exceed it). @default 1024 */
  maxBatchRequests: number
  /** Most prepared certificates or pre-prepares in one view change or new view. @default 4096 */
  maxCertificates: number
  /** Most replicas: bounds prepares, checkpoint proofs and view changes in one message. @default 256 */
  maxReplicas: number
  /** Longest client id, in UTF-8 bytes. @default 255 */
  maxIdBytes: number
  /** Longest signature. @default 256 */
  maxSignatureBytes: number
  /** Most entries in a state transfer's reply table. @default 1048576 */
  maxClients: number
}

/** The limits used when a caller gives none. */
export const DEFAULT_PBFT_WIRE_LIMITS: Readonly<PbftWireLimits> = Object.freeze({
  maxMessageBytes: 16 * 1024 * 1024,
  maxBatchRequests: 1024,
  maxCertificates: 4096,
  maxReplicas: 256,
  maxIdBytes: 255,
  maxSignatureBytes: 256,
  maxClients: 1024 * 1024,
})

/** Version byte of the encoding; a decoder refuses any other. */
export const PBFT_WIRE_VERSION = 1

/** Type byte of each message. Values are part of the wire format: never renumber one. */
export const PBFT_WIRE_TYPES = {
  prePrepare: 1,
  prepare: 2,
  commit: 3,
  checkpoint: 4,
  viewChange: 5,
  newView: 6,
  request: 7,
  fetch: 8,
  executed: 9,
  state: 10,
  reply: 11,
  clientRequest: 12,
} as const

/** Length of every digest on the wire (SHA-256). */
export const DIGEST_BYTES = 32
