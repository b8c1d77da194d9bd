import {
  InvalidArgumentError,
  isDwcpError,
  type JsonValue,
  PeerUnauthorizedError,
  type StateChange,
  throwIfAborted,
} from '@dwcp/core'
import type { DwcpNode } from '../node.js'
import { controlFor } from './control-channel.js'

/** Prefix of placement keys in the replicated state: `placement/<workloadId>`. */
export const PLACEMENT_PREFIX = 'placement/'

/** Where a workload runs, as recorded in the replicated state. */
export interface Placement {
  /** Node id of the host that is authoritative for the workload. */
  host: string
  /** Size of the workload's image in bytes. */
  sizeBytes: number
  /** Wall-clock time of the record, in milliseconds since the epoch. */
  updatedAt: number
}

/** Waits for a leader to be known: up to 100 × 50 ms, a few election timeouts at the default 150 ms. */
const LEADER_WAIT_ATTEMPTS = 100
const LEADER_WAIT_MS = 50
/** Longest wait for a forwarded placement write, in milliseconds. */
const FORWARD_TIMEOUT_MS = 5000

/** The placement key of a workload. */
export function placementKey(workloadId: string): string {
  return `${PLACEMENT_PREFIX}${workloadId}`
}

function asPlacement(value: JsonValue | undefined): Placement | undefined {
  const v = value as Partial<Placement> | null | undefined
  if (!v || typeof v.host !== 'string' || typeof v.sizeBytes !== 'number') return undefined
  return { host: v.host, sizeBytes: v.sizeBytes, updatedAt: Number(v.updatedAt ?? 0) }
}

/**
 * Writes a placement through the node's replicated state, so through the mode's consensus (Raft in
 * datacenter/hybrid mode, the CRDT in internet mode). Raft accepts writes only on its leader: on a follower the
 * write is forwarded over channel `migration` to the leader, which writes it. Resolves with the consensus index
 * the write is visible at (a read barrier taken on the node that wrote it), or `undefined` without consensus.
 */
export async function writePlacement(
  node: DwcpNode,
  workloadId: string,
  placement: Placement,
  options: { signal?: AbortSignal } = {},
): Promise<number | undefined> {
  const key = placementKey(workloadId)
  const value = { ...placement } as unknown as JsonValue
  // During an election no leader is known, or the one named is gone: wait for one, a bounded number of times.
  for (let attempt = 0; ; attempt++) {
    try {
      await node.state.set(key, value, options)
      return await indexOf(node, options.signal)
    } catch (error) {
      if (!isDwcpError(error, 'DWCP_ERR_NOT_LEADER')) throw error
      const leader = (error.data as { leader?: string }).leader
      if (leader && leader !== node.nodeId && node.session(leader)) {
        try {
          const reply = (await controlFor(node).request(
            leader,
            { type: 'placement-set', key, value },
            { ...options, timeoutMs: FORWARD_TIMEOUT_MS },
          )) as { index?: number | null } | null
          return reply?.index ?? undefined
        } catch (forwardError) {
          // The same value written twice is harmless, so a forward that may or may not have landed is retried.
          if (attempt >= LEADER_WAIT_ATTEMPTS) throw forwardError
        }
      }
      if (attempt >= LEADER_WAIT_ATTEMPTS) throw error
      throwIfAborted(options.signal)
      await new Promise((resolve) => setTimeout(resolve, LEADER_WAIT_MS))
    }
  }
}

async function indexOf(node: DwcpNode, signal: AbortSignal | undefined): Promise<number | undefined> {
  if (node.health().components.consensus?.status !== 'up') return undefined
  return (await node.consensus.read(signal ? { signal } : {})).index
}

/**
 * Serves placement writes forwarded by followers (the leader's side of {@link writePlacement}). A member may
 * place a workload nobody hosts yet on itself, and move (or remove) only a workload it hosts: the source of a
 * migration switches its workload to the target. Writing the host a workload already has is idempotent. Anything
 * else is refused, so no peer can move another's workload or write outside `placement/`.
 */
export function servePlacementWrites(node: DwcpNode): () => void {
  const control = controlFor(node)
  const offRead = control.handle('placement-get', async (peer, request) => {
    if (!node.isMember(peer)) throw new PeerUnauthorizedError(peer, 'not a member of this cluster')
    const key = String(request.key)
    if (!key.startsWith(PLACEMENT_PREFIX))
      throw new InvalidArgumentError('key', `refusing to read ${key}: not a placement key`)
    return { value: (await node.state.get(key)) ?? null }
  })
  const offWrite = control.handle('placement-set', async (peer, request) => {
    if (!node.isMember(peer)) throw new PeerUnauthorizedError(peer, 'not a member of this cluster')
    const key = String(request.key)
    if (!key.startsWith(PLACEMENT_PREFIX) || key.length === PLACEMENT_PREFIX.length)
      throw new InvalidArgumentError('key', `refusing to write ${key}: not a placement key`)
    const value = request.value as JsonValue | undefined
    const next = asPlacement(value)
    if (value !== null && value !== undefined && !next)
      throw new InvalidArgumentError('value', 'a placement is {host, sizeBytes, updatedAt}')
    const current = asPlacement(await node.state.get(key))
    // Writing the host it already has moves nothing: a forward retried after its reply was lost lands here.
    const allowed = current ? current.host === peer || next?.host === current.host : next?.host === peer
    if (!allowed)
      throw new PeerUnauthorizedError(
        peer,
        current
          ? `${key} is hosted by ${current.host}: only its host may move it`
          : `${key} is placed by nobody: a member may place it only on itself`,
      )
    await node.state.set(key, value ?? null)
    return { index: (await indexOf(node, undefined)) ?? null }
  })
  return () => {
    offRead()
    offWrite()
  }
}

/**
 * The workload's placement as the cluster has it now: read here where reads are local (CRDT) or this node
 * leads, else asked of the leader (a follower's own view may lag). `undefined` when nothing is placed;
 * throws when no leader answers (the caller asks again later).
 */
export async function readPlacement(node: DwcpNode, workloadId: string): Promise<Placement | undefined> {
  const key = placementKey(workloadId)
  try {
    return asPlacement(await node.state.get(key))
  } catch (error) {
    if (!isDwcpError(error, 'DWCP_ERR_NOT_LEADER')) throw error
    const leader = (error.data as { leader?: string }).leader
    if (!leader || leader === node.nodeId) throw error
    const reply = (await controlFor(node).request(
      leader,
      { type: 'placement-get', key },
      { timeoutMs: FORWARD_TIMEOUT_MS },
    )) as { value?: JsonValue } | null
    return asPlacement(reply?.value ?? undefined)
  }
}

/**
 * Every node's local view of all placements, kept from the changes the replicated state applies (the
 * Replicator has no listing). Watch before `node.start()` to see the placements replayed from `state.db`;
 * on a follower the view may lag the leader by the replication delay.
 */
export class PlacementBook {
  readonly #placements = new Map<string, Placement>()
  readonly #unsubscribe: () => void

  constructor(node: DwcpNode) {
    this.#unsubscribe = node.state.observe(PLACEMENT_PREFIX, (change: StateChange) => {
      const id = change.key.slice(PLACEMENT_PREFIX.length)
      const placement = asPlacement(change.value)
      if (placement) this.#placements.set(id, placement)
      else this.#placements.delete(id)
    })
  }

  /** The placement of one workload, as last applied here. */
  get(workloadId: string): Placement | undefined {
    return this.#placements.get(workloadId)
  }

  /** All placements, as last applied here. */
  all(): ReadonlyMap<string, Placement> {
    return new Map(this.#placements)
  }

  /** Workload ids placed on `host`. */
  hostedBy(host: string): string[] {
    return [...this.#placements].filter(([, p]) => p.host === host).map(([id]) => id)
  }

  /** Stops following changes. */
  close(): void {
    this.#unsubscribe()
  }
}

/** Records that `node` hosts a workload of `sizeBytes` (its placement, through consensus). */
export function registerWorkload(
  node: DwcpNode,
  workload: { id: string; sizeBytes: number },
  options: { signal?: AbortSignal } = {},
): Promise<number | undefined> {
  return writePlacement(
    node,
    workload.id,
    { host: node.nodeId, sizeBytes: workload.sizeBytes, updatedAt: Date.now() },
    options,
  )
}

/**
 * Makes sure the placement names this node before it moves a workload away: a workload nobody placed yet is
 * registered here (the node holding it is its host), one placed elsewhere is refused, since only its host may
 * move it. Where reads are the leader's (a Raft follower), the node writes itself as host through the leader,
 * which refuses it when another host holds the workload. Nothing to do on a node without replicated state.
 *
 * @throws InvalidArgumentError when the placement names another host (PeerUnauthorizedError through a leader)
 */
export async function claimPlacement(
  node: DwcpNode,
  workload: { id: string; sizeBytes: number },
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  let current: Placement | undefined
  try {
    current = asPlacement(await node.state.get(placementKey(workload.id), options))
  } catch (error) {
    if (isDwcpError(error, 'DWCP_ERR_COMPONENT_ABSENT')) return
    if (!isDwcpError(error, 'DWCP_ERR_NOT_LEADER')) throw error
    await registerWorkload(node, workload, options)
    return
  }
  if (!current) await registerWorkload(node, workload, options)
  else if (current.host !== node.nodeId)
    throw new InvalidArgumentError(
      'workload',
      `${workload.id} is placed on ${current.host}, not on this node`,
    )
}
