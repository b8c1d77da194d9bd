/**
 * Live migration of workloads (VM images) between nodes: iterative pre-copy with delta rounds, stop-and-copy,
 * digest verification and a placement switch through the replicated state; drain and rebalancing plans.
 */
export {
  type AcceptMigrationsOptions,
  acceptMigrations,
  MAX_FRAMES_TRANSFER_BYTES,
  MIGRATION_METADATA_KEY,
  type MigrationReceiver,
} from './accept.js'
export { MIGRATION_CHANNEL } from './control-channel.js'
export { type ConvergenceState, decideNextStep, predictedStopMs } from './convergence.js'
export { type DrainOptions, type DrainResult, drain } from './drain.js'
export { FileWorkload, type FileWorkloadOptions, PAGE_BYTES } from './file-workload.js'
export { imageDigest } from './image-digest.js'
export {
  type MigrateOptions,
  type MigrationProgress,
  type MigrationSummary,
  migrate,
} from './migrate.js'
export { imagePageDigest, PAGE_DIGEST_PREFIX } from './page-digests.js'
export { codecForPath, type MigrationCodecChoice } from './path-codec.js'
export {
  type Placement,
  PlacementBook,
  placementKey,
  readPlacement,
  registerWorkload,
  writePlacement,
} from './placement.js'
export { loadsOf, type PlannedMigration, planDrain, planRebalance } from './plan-rebalance.js'
export type { RoundStats } from './round-sender.js'
