/**
 * PBFT without I/O: {@link PbftReplica}, the {@link PbftClient} helper, signers, the wire codec and the types
 * of messages and `ready()`.
 * @module
 */
export { certifiedCheckpoint, isAuthentic, isValidPreparedCertificate, primaryOf } from './certificates.js'
export type { PbftConfig } from './config.js'
export { batchDigest } from './digest.js'
export {
  PbftClient,
  type PbftClientOptions,
  type PbftClientReady,
  type PbftCompletion,
} from './pbft-client.js'
export {
  clientRequestSigningBytes,
  decodeClientRequest,
  decodePbftMessage,
  encodeBatch,
  encodeClientRequest,
  encodePbftMessage,
  type PbftSignedMessage,
  signingBytes,
} from './pbft-codec.js'
export { PbftReplica } from './pbft-replica.js'
export { DEFAULT_PBFT_WIRE_LIMITS, type PbftWireLimits } from './pbft-wire-limits.js'
export type { PbftRejections } from './replica-state.js'
export { type PbftService, type RunningHashService, runningHashService, stateDigest } from './service.js'
export { ed25519Signer, type PbftSigner, simulationSigners } from './signer.js'
export type * from './types.js'
export { computeNewViewBatches, isValidViewChange, type NewViewPlan, verifyNewView } from './view-change.js'
