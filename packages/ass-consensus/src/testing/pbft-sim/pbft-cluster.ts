import type { Random } from '@dwcp/core'
import type { PbftConfig } from '../../pbft/config.js'
import { toHex } from '../../pbft/digest.js'
import { PbftClient } from '../../pbft/pbft-client.js'
import {
  clientRequestSigningBytes,
  decodeClientRequest,
  decodePbftMessage,
  encodeClientRequest,
  encodePbftMessage,
  signingBytes,
} from '../../pbft/pbft-codec.js'
import { PbftReplica } from '../../pbft/pbft-replica.js'
import { simulationSigners } from '../../pbft/signer.js'
import type { ClientRequest, PbftMessage, ReplicaId, Reply } from '../../pbft/types.js'
import { type NetworkFaults, SimNetwork } from '../sim/network.js'
import { ByzantineBehaviour, type ByzantineKind, type Directed } from './byzantine.js'
import { PbftInvariants } from './pbft-invariants.js'

/** What travels on the simulated network: encoded bytes, so every message goes through the codec. */
export interface PbftEnvelope {
  from: string
  to: string
  kind: 'replica' | 'request' | 'reply'
  bytes: Uint8Array
}

/** Options of a {@link PbftCluster}. */
export interface PbftClusterOptions {
  /** The run's only source of randomness. */
  random: Random
  /** Seed of the simulation signers' secrets. */
  signerSeed: number
  /** Replicas. @default 4 */
  n?: number
  /** Clients. @default 3 */
  clients?: number
  /** The faulty replica and its behaviour; none when absent. */
  byzantine?: { replica: ReplicaId; kind: ByzantineKind }
  /** Initial network faults. */
  faults?: Partial<NetworkFaults>
  /** PBFT options shared by every replica. */
  pbft?: Omit<PbftConfig, 'id' | 'n' | 'signer' | 'service' | 'authenticateRequest'>
  /** Ticks a client waits before broadcasting its request again. @default 40 */
  retransmitTicks?: number
}

/** Network name of replica `id`. */
export const replicaName = (id: ReplicaId): string => `r${id}`

/**
 * A deterministic PBFT group on a {@link SimNetwork}: replicas (one possibly faulty), clients issuing one
 * request at a time, every message encoded and decoded on the way. Safety invariants are checked after every
 * step of every honest replica and every client completion, throwing `InvariantViolationError`.
 */
export class PbftCluster {
  /** The seeded network every message crosses. */
  readonly network: SimNetwork<PbftEnvelope>
  /** Safety checks, fed after every step. */
  readonly invariants = new PbftInvariants()
  /** Every replica, the faulty one's honest core included (index = replica id). */
  readonly replicas: PbftReplica[]
  /** The clients, `c0`, `c1`, … */
  readonly clients: PbftClient[]
  /** What the faulty replica does to its output, if there is one. */
  readonly byzantine: ByzantineBehaviour | undefined
  /** Client requests completed, per client. */
  readonly completed: number[]
  private tickCount = 0
  private operationCount = 0

  constructor(options: PbftClusterOptions) {
    const n = options.n ?? 4
    this.network = new SimNetwork<PbftEnvelope>(options.random, options.faults)
    const signers = simulationSigners(n, options.signerSeed)
    // Clients sign their requests with keys of their own; replicas accept only requests a known client signed.
    const clientCount = options.clients ?? 3
    const clientSigners = simulationSigners(clientCount, options.signerSeed + 1)
    const authenticateRequest = (request: ClientRequest): boolean => {
      const index = /^c\d+$/.test(request.clientId) ? Number(request.clientId.slice(1)) : -1
      const signature = request.signature
      if (index < 0 || index >= clientCount || !signature) return false
      return clientSigners[0]!.verify(index, clientRequestSigningBytes(request), signature)
    }
    this.replicas = signers.map(
      (signer, id) => new PbftReplica({ ...options.pbft, id, n, signer, authenticateRequest }),
    )
    const b = options.byzantine
    this.byzantine = b && new ByzantineBehaviour(b.kind, b.replica, n, signers[b.replica]!, options.random)
    const verifier = signers[0]!
    this.clients = Array.from(
      { length: clientCount },
      (_, i) =>
        new PbftClient({
          clientId: `c${i}`,
          n,
          retransmitTicks: options.retransmitTicks ?? 40,
          sign: (bytes) => clientSigners[i]!.sign(bytes),
          verify: (reply) => verifier.verify(reply.replica, signingBytes(reply), reply.signature),
        }),
    )
    this.completed = this.clients.map(() => 0)
  }

  /** Ticks elapsed. */
  get now(): number {
    return this.tickCount
  }

  /** Whether replica `id` is honest. */
  isHonest(id: ReplicaId): boolean {
    return this.byzantine?.id !== id
  }

  /** Client `index` starts a new request if it has none in flight; returns whether it did. */
  submit(index: number): boolean {
    const client = this.clients[index]!
    if (client.inFlight) return false
    client.submit(new TextEncoder().encode(`op${++this.operationCount}`))
    this.flushClient(index)
    return true
  }

  /** One tick: replicas and clients tick, then every message due is delivered. */
  tick(): void {
    this.tickCount++
    for (const replica of this.replicas) {
      replica.tick()
      this.flushReplica(replica.id)
    }
    if (this.byzantine) this.sendDirected(this.byzantine.onTick(this.replicas[this.byzantine.id]!))
    for (let i = 0; i < this.clients.length; i++) {
      this.clients[i]!.tick()
      this.flushClient(i)
    }
    for (const envelope of this.network.deliver(this.tickCount)) this.deliver(envelope)
  }

  /** One line per replica, for failure messages. */
  describe(): string {
    return this.replicas
      .map(
        (r) =>
          `r${r.id}${this.isHonest(r.id) ? '' : '(faulty)'}: view ${r.view}${r.isChangingView ? '*' : ''} exec ${r.lastExecuted} h ${r.lowWatermark} pending ${r.pendingRequests}`,
      )
      .join('; ')
  }

  private deliver(envelope: PbftEnvelope): void {
    if (envelope.kind === 'reply') {
      // Replies to a client the faulty primary made up have nobody to go to.
      const index = this.clients.findIndex((c) => c.clientId === envelope.to)
      if (index < 0) return
      this.clients[index]!.handleReply(decodePbftMessage(envelope.bytes) as Reply)
      this.flushClient(index)
      return
    }
    const id = Number(envelope.to.slice(1))
    const replica = this.replicas[id]!
    if (envelope.kind === 'request') replica.request(decodeClientRequest(envelope.bytes))
    else {
      const message = decodePbftMessage(envelope.bytes) as PbftMessage
      if (this.byzantine?.id === id) this.byzantine.observe(message)
      replica.step(message)
    }
    this.flushReplica(id)
  }

  private flushReplica(id: ReplicaId): void {
    const replica = this.replicas[id]!
    if (!replica.hasReady()) return
    const ready = replica.ready()
    const honest = this.isHonest(id)
    if (honest) {
      if (ready.stateTransfer !== undefined) this.invariants.stateTransferred(id, ready.stateTransfer)
      for (const batch of ready.executed) this.invariants.executed(id, batch)
      for (const reply of ready.replies)
        this.invariants.honestReply(id, `${reply.clientId}:${reply.timestamp}`, toHex(reply.result))
    }
    const directed: Directed[] = []
    for (const { to, message } of ready.messages)
      for (const target of to === 'all' ? this.replicas.map((r) => r.id).filter((r) => r !== id) : [to])
        directed.push({ to: target, message })
    const replies = honest ? ready.replies : this.byzantine!.replies(ready.replies)
    replica.advance()
    this.sendDirected(honest ? directed : this.byzantine!.outgoing(ready.messages, this.tickCount), id)
    for (const reply of replies)
      this.network.send(
        { from: replicaName(id), to: reply.clientId, kind: 'reply', bytes: encodePbftMessage(reply) },
        this.tickCount,
      )
  }

  private sendDirected(directed: readonly Directed[], from = this.byzantine?.id ?? 0): void {
    for (const d of directed)
      this.network.send(
        {
          from: replicaName(from),
          to: replicaName(d.to),
          kind: 'replica',
          bytes: encodePbftMessage(d.message),
        },
        this.tickCount,
      )
  }

  private flushClient(index: number): void {
    const client = this.clients[index]!
    const ready = client.ready()
    for (const done of ready.completed) {
      this.invariants.clientAccepted(`${done.request.clientId}:${done.request.timestamp}`, toHex(done.result))
      this.completed[index]!++
    }
    for (const send of ready.sends) {
      const bytes = encodeClientRequest(send.request)
      const targets = send.to === 'all' ? this.replicas.map((r) => r.id) : [send.to]
      for (const to of targets)
        this.network.send(
          { from: client.clientId, to: replicaName(to), kind: 'request', bytes },
          this.tickCount,
        )
    }
    client.advance()
  }
}
