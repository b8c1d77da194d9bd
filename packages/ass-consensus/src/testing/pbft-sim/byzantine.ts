import type { Random } from '@dwcp/core'
import { signed } from '../../pbft/certificates.js'
import { batchDigest } from '../../pbft/digest.js'
import type { PbftReplica } from '../../pbft/pbft-replica.js'
import type { PbftSigner } from '../../pbft/signer.js'
import type { NewView, Outgoing, PbftMessage, PrePrepare, ReplicaId, Reply } from '../../pbft/types.js'

/** The faulty behaviours the simulator rotates through (one faulty replica per run, f = 1). */
export const BYZANTINE_KINDS = [
  'equivocatingPrimary',
  'conflictingPrepares',
  'forgedSignatures',
  'replay',
  'silent',
  'delayedViewChange',
] as const

/** One faulty behaviour. */
export type ByzantineKind = (typeof BYZANTINE_KINDS)[number]

/** A message the faulty replica sends to exactly one replica. */
export interface Directed {
  to: ReplicaId
  message: PbftMessage
}

/** Most messages a replaying replica remembers. */
const CAPTURE_MAX = 256

/**
 * Turns an honest replica's output into a faulty one. The faulty replica runs a real {@link PbftReplica} (so
 * it knows views and sequence numbers) and holds only its own signer: whatever it sends in another replica's
 * name cannot carry that replica's signature.
 */
export class ByzantineBehaviour {
  private captured: PbftMessage[] = []
  private held: { releaseTick: number; out: Directed }[] = []
  /** Messages this behaviour made up or altered. */
  injected = 0

  constructor(
    readonly kind: ByzantineKind,
    readonly id: ReplicaId,
    private readonly n: number,
    private readonly signer: PbftSigner,
    private readonly random: Random,
  ) {}

  /** What the faulty replica sends, given what its honest core wanted to send at tick `nowTick`. */
  outgoing(out: readonly Outgoing[], nowTick: number): Directed[] {
    const directed: Directed[] = []
    for (const { to, message } of out)
      for (const target of to === 'all' ? this.others() : [to]) directed.push({ to: target, message })
    switch (this.kind) {
      case 'silent':
        return []
      case 'equivocatingPrimary':
        // Each backup independently gets the real pre-prepare or one of its own: sometimes two backups agree
        // (the batch may commit without the third), often none do (only a view change gets past it).
        return directed.map((d) => {
          if (d.message.type === 'newView' && this.random.next() < 1 / 2) return this.tamperNewView(d)
          return d.message.type === 'prePrepare' && this.random.next() < 2 / 3 ? this.equivocate(d) : d
        })
      case 'conflictingPrepares':
        return directed.flatMap((d) => this.conflict(d))
      case 'delayedViewChange': {
        const now: Directed[] = []
        for (const d of directed) {
          if (d.message.type === 'viewChange')
            this.held.push({ releaseTick: nowTick + 40 + Math.floor(this.random.next() * 120), out: d })
          else now.push(d)
        }
        const due = this.held.filter((h) => h.releaseTick <= nowTick)
        this.held = this.held.filter((h) => h.releaseTick > nowTick)
        return [...now, ...due.map((h) => h.out)]
      }
      default:
        return directed
    }
  }

  /** Replies the faulty replica sends to clients. */
  replies(replies: readonly Reply[]): Reply[] {
    if (this.kind === 'silent') return []
    if (this.kind !== 'conflictingPrepares') return [...replies]
    // Lies to clients too: a wrong result, correctly signed; clients need f + 1 matching replies.
    return replies.map((r) => {
      const lie = { ...r, result: Uint8Array.of(0xba, 0xd0, ...r.result.subarray(2)) }
      return lie
    })
  }

  /** Sees a message delivered to the faulty replica (a replaying replica keeps it for later). */
  observe(message: PbftMessage): void {
    if (this.kind !== 'replay') return
    if (this.captured.length >= CAPTURE_MAX)
      this.captured.splice(Math.floor(this.random.next() * CAPTURE_MAX), 1)
    this.captured.push(message)
  }

  /** Extra messages the behaviour makes up on a tick. */
  onTick(inner: PbftReplica): Directed[] {
    const target = this.others()[Math.floor(this.random.next() * (this.n - 1))]!
    if (this.kind === 'forgedSignatures' && this.random.next() < 0.05) {
      // A request in a real client's name with a huge timestamp and no valid client signature: accepted, it
      // would make every later request of that client look old.
      this.injected++
      const request = {
        clientId: 'c0',
        timestamp: 2 ** 40,
        operation: Uint8Array.of(0xba, 0xd0),
        signature: this.randomDigest(),
      }
      const relay = { type: 'request' as const, request, replica: this.id, signature: new Uint8Array() }
      return [{ to: inner.primary, message: signed(this.signer, relay) }]
    }
    if (this.kind === 'replay' && this.captured.length > 0 && this.random.next() < 0.5) {
      this.injected++
      return [{ to: target, message: this.captured[Math.floor(this.random.next() * this.captured.length)]! }]
    }
    if (this.kind === 'forgedSignatures' && this.random.next() < 0.3) {
      this.injected++
      return [{ to: target, message: this.forge(inner, target) }]
    }
    return []
  }

  private others(): ReplicaId[] {
    return Array.from({ length: this.n }, (_, i) => i).filter((i) => i !== this.id)
  }

  /** The same sequence number with another batch, validly signed by the (faulty) primary. */
  private equivocate(d: Directed): Directed {
    const pp = d.message as PrePrepare
    // Only genuine (client-signed) requests, so each variant is a well-formed pre-prepare on its own: nothing,
    // all but the first, or all in reverse order.
    const variant = d.to % 3
    const batch = variant === 0 ? [] : variant === 1 ? pp.batch.slice(1) : [...pp.batch].reverse()
    this.injected++
    return {
      to: d.to,
      message: signed(this.signer, { ...pp, batch, digest: batchDigest(batch), signature: new Uint8Array() }),
    }
  }

  /**
   * The same NEW-VIEW with a different O, validly signed by the faulty new primary: a null request where a
   * batch belongs, or one extra null request. Backups recompute O and refuse it.
   */
  private tamperNewView(d: Directed): Directed {
    const nv = d.message as NewView
    const prePrepares = [...nv.prePrepares]
    const last = prePrepares.at(-1)
    const emptyDigest = batchDigest([])
    const victim = prePrepares.findIndex((pp) => pp.batch.length > 0)
    const make = (seq: number): PrePrepare =>
      signed(this.signer, {
        type: 'prePrepare',
        view: nv.view,
        seq,
        digest: emptyDigest,
        batch: [],
        replica: this.id,
        signature: new Uint8Array(),
      })
    if (victim >= 0) prePrepares[victim] = make(prePrepares[victim]!.seq)
    else prePrepares.push(make((last?.seq ?? 0) + 1 + Math.floor(this.random.next() * 3)))
    this.injected++
    return { to: d.to, message: signed(this.signer, { ...nv, prePrepares, signature: new Uint8Array() }) }
  }

  /** Prepares and commits for digests nobody pre-prepared, to some replicas, and a few for future slots. */
  private conflict(d: Directed): Directed[] {
    const m = d.message
    if (m.type !== 'prepare' && m.type !== 'commit') return [d]
    const bogus = (seq: number) =>
      signed(this.signer, { ...m, seq, digest: this.randomDigest(), signature: new Uint8Array() })
    this.injected += 2
    const first = this.random.next() < 0.5 ? { to: d.to, message: bogus(m.seq) } : d
    return [first, { to: d.to, message: bogus(m.seq + 1) }]
  }

  /** A message claiming to come from another replica, signed with this replica's key or with garbage. */
  private forge(inner: PbftReplica, target: ReplicaId): PbftMessage {
    const victim = this.others().find((r) => r !== target) ?? target
    const seq = inner.lastExecuted + 1
    const choice = Math.floor(this.random.next() * 4)
    const message: PbftMessage =
      choice === 0
        ? {
            type: 'prepare',
            view: inner.view,
            seq,
            digest: this.randomDigest(),
            replica: victim,
            signature: new Uint8Array(),
          }
        : choice === 1
          ? {
              type: 'commit',
              view: inner.view,
              seq,
              digest: this.randomDigest(),
              replica: victim,
              signature: new Uint8Array(),
            }
          : choice === 2
            ? {
                type: 'checkpoint',
                seq: 4,
                stateDigest: this.randomDigest(),
                replica: victim,
                signature: new Uint8Array(),
              }
            : {
                type: 'viewChange',
                newView: inner.view + 1,
                stableSeq: 0,
                checkpointProof: [],
                prepared: [],
                replica: victim,
                signature: new Uint8Array(),
              }
    if (this.random.next() < 0.5) return signed(this.signer, message)
    message.signature = Uint8Array.from({ length: 16 }, () => Math.floor(this.random.next() * 256))
    return message
  }

  private randomDigest(): Uint8Array {
    return Uint8Array.from({ length: 32 }, () => Math.floor(this.random.next() * 256))
  }
}
