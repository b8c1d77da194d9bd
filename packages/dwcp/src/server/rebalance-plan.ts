import type { JsonValue, StateChange } from '@dwcp/core'

/** Replicated keys of workload placements: `placement/<workload>` → `{ host }`. */
export const PLACEMENT_PREFIX = 'placement/'

/** Most moves one plan proposes: a plan is read by an operator, and every move is a live migration. */
export const MAX_PLANNED_MOVES = 10_000

/** One planned move. */
export interface PlannedMove {
  /** Workload id (the key after `placement/`). */
  workload: string
  /** Host it is on now. */
  from: string
  /** Host it would move to. */
  to: string
  /** Why it moves. */
  reason: 'host-not-a-member' | 'balance'
}

/** A least-loaded placement plan. */
export interface RebalancePlan {
  strategy: 'least-loaded'
  /** Workloads per host now (members with none included). */
  before: Record<string, number>
  /** Workloads per host after the moves. */
  after: Record<string, number>
  moves: PlannedMove[]
}

/**
 * The placements this node knows, kept from the replicated state's change stream: `Replicator` has no key
 * listing, and observers hear every applied change, the replay at start included.
 */
export class PlacementIndex {
  readonly #hosts = new Map<string, string>()

  /** Feeds one change of a `placement/` key. */
  apply(change: StateChange): void {
    const workload = change.key.slice(PLACEMENT_PREFIX.length)
    const host = hostOf(change.value)
    if (host === undefined) this.#hosts.delete(workload)
    else this.#hosts.set(workload, host)
  }

  /** Forgets everything (before the state is replayed again, e.g. after a restore). */
  clear(): void {
    this.#hosts.clear()
  }

  /** Workload → host. */
  entries(): [string, string][] {
    return [...this.#hosts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  }
}

function hostOf(value: JsonValue | undefined): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const host = (value as Record<string, JsonValue>).host
  return typeof host === 'string' && host !== '' ? host : undefined
}

/**
 * Plans least-loaded placement: workloads on hosts that are no longer members go to the least-loaded member,
 * then workloads move one at a time from the most to the least loaded member until their counts differ by at
 * most one. Ties break by name, so the same state gives the same plan on every node.
 */
export function planLeastLoaded(
  placements: readonly [string, string][],
  members: readonly string[],
): RebalancePlan {
  const load = new Map<string, string[]>(members.map((m) => [m, []]))
  const orphans: [string, string][] = []
  for (const [workload, host] of placements) {
    const list = load.get(host)
    if (list) list.push(workload)
    else orphans.push([workload, host])
  }
  const before: Record<string, number> = {}
  for (const [host, list] of load) before[host] = list.length
  for (const [, host] of orphans) before[host] = (before[host] ?? 0) + 1
  const moves: PlannedMove[] = []
  const byLoad = () =>
    [...load.entries()].sort(([a, x], [b, y]) => x.length - y.length || (a < b ? -1 : a > b ? 1 : 0))
  for (const [workload, from] of orphans) {
    const [target] = byLoad()
    if (!target) break
    target[1].push(workload)
    moves.push({ workload, from, to: target[0], reason: 'host-not-a-member' })
  }
  while (moves.length < MAX_PLANNED_MOVES) {
    const sorted = byLoad()
    const least = sorted[0]
    const most = sorted[sorted.length - 1]
    if (!least || !most || most[1].length - least[1].length <= 1) break
    most[1].sort()
    const workload = most[1].pop() as string
    least[1].push(workload)
    moves.push({ workload, from: most[0], to: least[0], reason: 'balance' })
  }
  const after: Record<string, number> = {}
  for (const [host, list] of load) after[host] = list.length
  return { strategy: 'least-loaded', before, after, moves }
}
