/**
 * PBFT with I/O: {@link PbftHost} runs a replica and a pool of clients for one member; {@link PbftConsensus}
 * is core's `Consensus` over it.
 * @module
 */
export { PbftConsensus, type PbftConsensusOptions } from './pbft-consensus.js'
export { PbftHost, type PbftOutcome } from './pbft-host.js'
export type { PbftHostOptions, PbftPeerTransport } from './types.js'
