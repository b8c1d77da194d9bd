import type { KvOperation } from '../linearizability/kv-history.js'

/** A write waiting for the node that accepted it to apply its entry. */
interface PendingPut {
  op: KvOperation
  node: string
  index: number
  term: number
}

/** A read confirmed (or awaiting confirmation) by ReadIndex on one node. */
interface PendingGet {
  op: KvOperation
  node: string
  context: string
  /** Set once confirmed: the read is served when the node has applied it. */
  index: number | undefined
}

/**
 * Records the history simulated clients see, for the linearizability checker: a put returns when the node that
 * accepted it applies the entry it appended (same index and term); if another entry lands at that index, or the
 * node crashes first, the put never returns (it may or may not have taken effect). A get returns the node's
 * value once ReadIndex confirmed it and the node applied up to the confirmed index.
 */
export class KvClients {
  readonly history: KvOperation[] = []
  private readonly puts: PendingPut[] = []
  private readonly gets: PendingGet[] = []
  private nextClient = 0

  /** A put accepted by `node` at (`index`, `term`) at time `now`. */
  putAccepted(node: string, key: string, value: string, index: number, term: number, now: number): void {
    const op = this.newOp('put', key, value, now)
    this.puts.push({ op, node, index, term })
  }

  /** A get accepted by `node` under `context` at time `now`. */
  getAsked(node: string, key: string, context: string, now: number): void {
    this.gets.push({ op: this.newOp('get', key, undefined, now), node, context, index: undefined })
  }

  /** `node` confirmed the read `context` at `index`. */
  getConfirmed(node: string, context: string, index: number): void {
    const get = this.gets.find((g) => g.node === node && g.context === context)
    if (get) get.index = index
  }

  /** `node` applied the entry at (`index`, `term`); `now` is the time. */
  applied(node: string, index: number, term: number, now: number): void {
    for (let i = this.puts.length - 1; i >= 0; i--) {
      const put = this.puts[i]!
      if (put.node !== node || put.index !== index) continue
      // Another leader's entry at that index: the put was lost (its reply never comes).
      if (put.term === term) put.op.returnAt = now
      this.puts.splice(i, 1)
    }
  }

  /** Serves the confirmed reads of `node` it has applied far enough for, from `read(key)`. */
  serveReads(
    node: string,
    appliedIndex: number,
    read: (key: string) => string | undefined,
    now: number,
  ): void {
    for (let i = this.gets.length - 1; i >= 0; i--) {
      const get = this.gets[i]!
      if (get.node !== node || get.index === undefined || get.index > appliedIndex) continue
      get.op.value = read(get.op.key)
      get.op.returnAt = now
      this.gets.splice(i, 1)
    }
  }

  /** `node` crashed: nothing it had pending ever returns. */
  forget(node: string): void {
    for (let i = this.puts.length - 1; i >= 0; i--) if (this.puts[i]!.node === node) this.puts.splice(i, 1)
    for (let i = this.gets.length - 1; i >= 0; i--) if (this.gets[i]!.node === node) this.gets.splice(i, 1)
  }

  /**
   * `node` no longer leads: ReadIndex drops the reads it had not yet confirmed, which never return. Confirmed
   * reads are still served (leadership was confirmed after they were asked), and puts still return if the entry
   * they appended is applied.
   */
  leadershipLost(node: string): void {
    for (let i = this.gets.length - 1; i >= 0; i--) {
      const get = this.gets[i]!
      if (get.node === node && get.index === undefined) this.gets.splice(i, 1)
    }
  }

  private newOp(kind: 'put' | 'get', key: string, value: string | undefined, now: number): KvOperation {
    // Every operation gets its own client: operations of one client must not overlap, and these may.
    const op: KvOperation = {
      client: `c${this.nextClient++}`,
      kind,
      key,
      value,
      callAt: now,
      returnAt: Number.POSITIVE_INFINITY,
    }
    this.history.push(op)
    return op
  }
}
