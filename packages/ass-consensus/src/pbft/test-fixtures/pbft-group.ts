import type { PbftConfig } from '../config.js'
import { PbftReplica } from '../pbft-replica.js'
import { type PbftSigner, simulationSigners } from '../signer.js'
import type { ClientRequest, ExecutedBatch, PbftMessage, ReplicaId, Reply } from '../types.js'

/** A message in the group's FIFO network. */
export interface Queued {
  from: ReplicaId
  to: ReplicaId
  message: PbftMessage
}

/**
 * A PBFT group for unit tests: replicas with simulation signers, a FIFO network with a drop filter, and a
 * record of what every replica executed and replied.
 */
export class PbftGroup {
  readonly replicas: PbftReplica[]
  readonly signers: PbftSigner[]
  readonly queue: Queued[] = []
  readonly executed: ExecutedBatch[][]
  readonly replies: Reply[] = []
  /** Returns false to drop a message (a silent replica, a cut link…). */
  filter: (q: Queued) => boolean = () => true

  constructor(options: Omit<PbftConfig, 'id' | 'signer'> = {}) {
    const n = options.n ?? 4
    this.signers = simulationSigners(n, 7)
    this.replicas = this.signers.map((signer, id) => new PbftReplica({ ...options, id, signer }))
    this.executed = this.replicas.map(() => [])
  }

  /** Moves replica `id`'s ready() into the queue. */
  flush(id: ReplicaId): void {
    const replica = this.replicas[id]!
    const ready = replica.ready()
    for (const out of ready.messages) {
      const targets = out.to === 'all' ? this.replicas.map((r) => r.id).filter((r) => r !== id) : [out.to]
      for (const to of targets) this.queue.push({ from: id, to, message: out.message })
    }
    this.replies.push(...ready.replies)
    this.executed[id]!.push(...ready.executed)
    replica.advance()
  }

  /** A client request delivered to replica `to`. */
  request(to: ReplicaId, request: ClientRequest): void {
    this.replicas[to]!.request(request)
    this.flush(to)
  }

  /** Delivers queued messages (FIFO) until none is left or `maxMessages` were handled. */
  deliverAll(maxMessages = 100_000): void {
    for (let i = 0; i < maxMessages; i++) {
      const q = this.queue.shift()
      if (!q) return
      if (!this.filter(q)) continue
      this.replicas[q.to]!.step(q.message)
      this.flush(q.to)
    }
  }

  /** `ticks` ticks of every replica, delivering everything after each. */
  tick(ticks = 1): void {
    for (let t = 0; t < ticks; t++) {
      for (const r of this.replicas) {
        r.tick()
        this.flush(r.id)
      }
      this.deliverAll()
    }
  }

  /** Sequence numbers replica `id` executed, in order. */
  seqs(id: ReplicaId): number[] {
    return this.executed[id]!.map((b) => b.seq)
  }
}

/** A request of client `clientId` with timestamp `timestamp`. */
export function req(clientId: string, timestamp: number): ClientRequest {
  return { clientId, timestamp, operation: new TextEncoder().encode(`${clientId}:${timestamp}`) }
}
