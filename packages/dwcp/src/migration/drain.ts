import { throwIfAborted } from '@dwcp/core'
import type { DwcpNode } from '../node.js'
import type { FileWorkload } from './file-workload.js'
import { type MigrateOptions, type MigrationSummary, migrate } from './migrate.js'
import type { PlacementBook } from './placement.js'
import { planDrain } from './plan-rebalance.js'

/** Options of {@link drain}. */
export interface DrainOptions {
  /** Nodes the workloads may go to (connected, running `acceptMigrations`). */
  targets: readonly string[]
  /** The node's view of placements: which workloads it hosts and how loaded the targets are. */
  placements: PlacementBook
  /** The workloads this node runs, by id. A placed workload missing here cannot be moved and is reported. */
  workloads: ReadonlyMap<string, FileWorkload>
  signal?: AbortSignal
  /** Passed to each migration. */
  migrate?: Omit<MigrateOptions, 'node' | 'workload' | 'target' | 'signal'>
}

/** What a drain did. */
export interface DrainResult {
  moved: MigrationSummary[]
  failed: Array<{ workloadId: string; to: string; error: Error }>
}

/**
 * Migrates every workload placed on `node` to the other nodes, one at a time, largest first, each to the
 * least-loaded target (by placed bytes, counting the moves already planned). A failed migration leaves that
 * workload here (authoritative) and the drain goes on; cancelling stops after the current one.
 */
export async function drain(node: DwcpNode, options: DrainOptions): Promise<DrainResult> {
  const plan = planDrain(options.placements.all(), node.nodeId, options.targets)
  const result: DrainResult = { moved: [], failed: [] }
  for (const move of plan) {
    throwIfAborted(options.signal)
    const workload = options.workloads.get(move.workloadId)
    if (!workload) {
      result.failed.push({
        workloadId: move.workloadId,
        to: move.to,
        error: new Error(`workload ${move.workloadId} is placed here but not running here`),
      })
      continue
    }
    try {
      result.moved.push(
        await migrate({
          strategy: 'least-loaded',
          ...options.migrate,
          node,
          workload,
          target: move.to,
          ...(options.signal ? { signal: options.signal } : {}),
        }),
      )
    } catch (error) {
      if (options.signal?.aborted) throw error
      result.failed.push({ workloadId: move.workloadId, to: move.to, error: error as Error })
    }
  }
  return result
}
