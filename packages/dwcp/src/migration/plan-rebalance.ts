import { InvalidArgumentError } from '@dwcp/core'
import type { Placement } from './placement.js'

/** One planned migration. */
export interface PlannedMigration {
  workloadId: string
  from: string
  to: string
  sizeBytes: number
}

/** Bytes placed on each of `nodes` (hosts outside `nodes` are not counted). */
export function loadsOf(
  placements: ReadonlyMap<string, Placement>,
  nodes: readonly string[],
): Map<string, number> {
  const loads = new Map(nodes.map((n) => [n, 0]))
  for (const p of placements.values())
    if (loads.has(p.host)) loads.set(p.host, (loads.get(p.host) ?? 0) + p.sizeBytes)
  return loads
}

function leastLoaded(loads: ReadonlyMap<string, number>, exclude?: string): string | undefined {
  let best: string | undefined
  for (const [node, load] of loads) {
    if (node === exclude) continue
    // Ties go to the smaller id, so a plan does not depend on map order.
    if (best === undefined || load < (loads.get(best) ?? 0) || (load === loads.get(best) && node < best))
      best = node
  }
  return best
}

function bySizeThenId(a: [string, Placement], b: [string, Placement]): number {
  return b[1].sizeBytes - a[1].sizeBytes || (a[0] < b[0] ? -1 : 1)
}

/**
 * The plan that empties `from`: its workloads, largest first, each to the target holding the fewest bytes at
 * that point (least-loaded first). Pure.
 */
export function planDrain(
  placements: ReadonlyMap<string, Placement>,
  from: string,
  targets: readonly string[],
): PlannedMigration[] {
  const candidates = targets.filter((t) => t !== from)
  if (candidates.length === 0) throw new InvalidArgumentError('targets', 'no node other than the drained one')
  const loads = loadsOf(placements, candidates)
  const moves: PlannedMigration[] = []
  const mine = [...placements].filter(([, p]) => p.host === from).sort(bySizeThenId)
  for (const [workloadId, p] of mine) {
    const to = leastLoaded(loads) as string
    loads.set(to, (loads.get(to) ?? 0) + p.sizeBytes)
    moves.push({ workloadId, from, to, sizeBytes: p.sizeBytes })
  }
  return moves
}

/**
 * The `least-loaded` rebalancing plan over `nodes`: workloads on hosts outside `nodes` go to the least-loaded
 * node first; then, while some workload on the most-loaded node fits into the gap between it and the
 * least-loaded node (moving it narrows the spread), the largest such workload moves. Each move strictly
 * narrows the spread, and the number of moves is bounded by the number of workloads times the nodes. Pure.
 */
export function planRebalance(
  placements: ReadonlyMap<string, Placement>,
  nodes: readonly string[],
): PlannedMigration[] {
  if (nodes.length === 0) throw new InvalidArgumentError('nodes', 'at least one node is needed')
  const hostOf = new Map([...placements].map(([id, p]) => [id, p.host]))
  const loads = loadsOf(placements, nodes)
  const moves: PlannedMigration[] = []
  const move = (workloadId: string, p: Placement, to: string): void => {
    const from = hostOf.get(workloadId) as string
    if (loads.has(from)) loads.set(from, (loads.get(from) ?? 0) - p.sizeBytes)
    loads.set(to, (loads.get(to) ?? 0) + p.sizeBytes)
    hostOf.set(workloadId, to)
    moves.push({ workloadId, from: p.host, to, sizeBytes: p.sizeBytes })
  }
  for (const [id, p] of [...placements].sort(bySizeThenId)) {
    if (!loads.has(p.host)) move(id, p, leastLoaded(loads) as string)
  }
  const limit = placements.size * nodes.length
  for (let step = 0; step < limit; step++) {
    const min = leastLoaded(loads) as string
    let max = min
    for (const [node, load] of loads) if (load > (loads.get(max) ?? 0)) max = node
    const gap = (loads.get(max) ?? 0) - (loads.get(min) ?? 0)
    const fitting = [...placements]
      .filter(([id, p]) => hostOf.get(id) === max && p.sizeBytes > 0 && p.sizeBytes < gap)
      .sort(bySizeThenId)
    const pick = fitting[0]
    if (!pick) break
    move(pick[0], { ...pick[1], host: max }, min)
  }
  return collapse(moves)
}

/** A workload moved twice in a plan moves once, from where it was to where it ends. */
function collapse(moves: PlannedMigration[]): PlannedMigration[] {
  const byWorkload = new Map<string, PlannedMigration>()
  for (const m of moves) {
    const first = byWorkload.get(m.workloadId)
    byWorkload.set(m.workloadId, first ? { ...first, to: m.to } : m)
  }
  return [...byWorkload.values()].filter((m) => m.from !== m.to)
}
