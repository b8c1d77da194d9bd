/**
 * The deterministic PBFT simulator: a group of four replicas with one faulty replica on the seeded network,
 * clients, safety invariants checked after every step, and a chaos scenario with a liveness check after heal.
 * @module
 */
export { BYZANTINE_KINDS, ByzantineBehaviour, type ByzantineKind, type Directed } from './byzantine.js'
export { type PbftChaosOptions, type PbftChaosReport, runPbftChaos } from './pbft-chaos.js'
export { PbftCluster, type PbftClusterOptions, type PbftEnvelope, replicaName } from './pbft-cluster.js'
export { PbftInvariants } from './pbft-invariants.js'
