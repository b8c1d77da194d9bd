/**
 * The CRDT convergence simulator: many replicas on a seeded lossy network with a partition, random writers,
 * and a check that every replica ends with the same state, measured in simulated time.
 * @module
 */
export {
  type CrdtConvergenceOptions,
  type CrdtConvergenceReport,
  runCrdtConvergence,
} from './crdt-convergence.js'
export { CrdtSimCluster, type CrdtSimClusterOptions, type SyncPacket } from './crdt-sim-cluster.js'
export { percentile } from './percentile.js'
