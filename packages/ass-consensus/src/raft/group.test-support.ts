import type { Random } from '@dwcp/core'
import type { RaftConfig } from './config.js'
import { RaftNode } from './raft-node.js'
import type { Entry, Message, ReadState, Snapshot } from './types.js'

/** A Random that always returns `value`: pins election timeouts in unit tests. */
export const fixedRandom = (value = 0): Random => ({ next: () => value })

/**
 * A few {@link RaftNode}s wired by hand for unit tests: messages are collected from `ready()` and delivered
 * only when the test says so, optionally filtered, so a test can stage exactly the interleaving it describes.
 */
export class Group {
  readonly nodes = new Map<string, RaftNode>()
  readonly applied = new Map<string, Entry[]>()
  readonly persisted = new Map<string, Entry[]>()
  readonly reads = new Map<string, ReadState[]>()
  /** Snapshots each node received from a leader (persisted and restored). */
  readonly snapshots = new Map<string, Snapshot[]>()
  queue: Message[] = []

  constructor(ids: readonly string[], options: Partial<RaftConfig> = {}) {
    for (const id of ids) this.add(new RaftNode({ random: fixedRandom(), ...options, id, peers: ids }))
  }

  /** Adds a node and handles its first ready. */
  add(node: RaftNode): void {
    this.nodes.set(node.id, node)
    this.applied.set(node.id, [])
    this.persisted.set(node.id, [])
    this.reads.set(node.id, [])
    this.snapshots.set(node.id, [])
    this.collect(node.id)
  }

  /** The node with this id; throws when there is none. */
  get(id: string): RaftNode {
    const node = this.nodes.get(id)
    if (!node) throw new Error(`no node ${id}`)
    return node
  }

  /** Handles the node's ready: records persisted and applied entries, queues its messages. */
  collect(id: string): void {
    const node = this.get(id)
    while (node.hasReady()) {
      const rd = node.ready()
      let log = this.persisted.get(id)!
      if (rd.snapshot) {
        this.snapshots.get(id)!.push(rd.snapshot)
        log = []
      }
      const first = rd.entries[0]
      if (first) log = log.filter((e) => e.index < first.index)
      log.push(...rd.entries)
      this.persisted.set(id, log)
      this.applied.get(id)!.push(...rd.committedEntries)
      this.queue.push(...rd.messages)
      this.reads.get(id)!.push(...rd.readStates)
      node.advance(rd)
    }
  }

  /** Ticks one node `times` times, then handles its ready. */
  tick(id: string, times = 1): void {
    for (let i = 0; i < times; i++) this.get(id).tick()
    this.collect(id)
  }

  /** Delivers queued messages (and what they cause) until none is left; `keep` drops the others. */
  deliverAll(keep: (m: Message) => boolean = () => true, maxRounds = 1000): void {
    for (let round = 0; round < maxRounds && this.queue.length > 0; round++) {
      const batch = this.queue
      this.queue = []
      for (const m of batch) {
        if (!keep(m) || !this.nodes.has(m.to)) continue
        this.get(m.to).step(m)
        this.collect(m.to)
      }
    }
  }

  /** Makes `id` campaign, then delivers everything `keep` lets through: it wins if a quorum is reachable. */
  elect(id: string, keep?: (m: Message) => boolean): void {
    this.get(id).campaign()
    this.collect(id)
    this.deliverAll(keep)
  }

  /** Proposes `text` on node `id` and handles its ready. */
  propose(id: string, text: string) {
    const result = this.get(id).propose(new TextEncoder().encode(text))
    this.collect(id)
    return result
  }

  /** The values node `id` applied, in order (no-op entries left out). */
  values(id: string): string[] {
    return this.applied
      .get(id)!
      .filter((e) => e.data !== undefined)
      .map((e) => new TextDecoder().decode(e.data))
  }
}

/** A filter that cuts `isolated` off from everyone else. */
export const isolate =
  (...isolated: string[]) =>
  (m: Message): boolean =>
    isolated.includes(m.from) === isolated.includes(m.to)
