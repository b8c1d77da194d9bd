import { AbortedError, QueueFullError } from '@dwcp/core'
import type { ReadState } from '../raft/types.js'

/** What `queued()` returns when nothing is queued (frozen: callers only iterate it). */
const NO_CONTEXTS: string[] = Object.freeze([]) as unknown as string[]

type Phase =
  /** Not yet accepted by the node (a new leader must first commit an entry of its term). */
  | { kind: 'queued' }
  /** Accepted: the leader is confirming with a quorum that it still leads. */
  | { kind: 'confirming' }
  /** Confirmed at `index`: served once the state machine applied it. */
  | { kind: 'confirmed'; index: number }

interface Read {
  phase: Phase
  resolve(value: { index: number }): void
  reject(error: Error): void
  release(): void
}

/** Linearizable reads (ReadIndex) through their phases: queued, confirming, confirmed, served. */
export class PendingReads {
  private readonly reads = new Map<string, Read>()

  constructor(private readonly maxPending: number) {}

  /** Number of reads not yet served. */
  get size(): number {
    return this.reads.size
  }

  /** Registers a read under `context`, queued until the node accepts it. */
  add(context: string, signal: AbortSignal | undefined): Promise<{ index: number }> {
    if (this.reads.size >= this.maxPending) throw new QueueFullError('raft reads', this.maxPending)
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.reads.delete(context)
        reject(new AbortedError(signal?.reason))
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.reads.set(context, {
        phase: { kind: 'queued' },
        resolve,
        reject,
        release: () => signal?.removeEventListener('abort', onAbort),
      })
    })
  }

  /** Contexts of reads the node has not accepted yet, oldest first. */
  queued(): string[] {
    // Called on every Ready: without reads pending it must not allocate.
    if (this.reads.size === 0) return NO_CONTEXTS
    const contexts: string[] = []
    for (const [context, read] of this.reads) if (read.phase.kind === 'queued') contexts.push(context)
    return contexts
  }

  /** The node accepted the read: a read state follows once a quorum confirmed the leadership. */
  accepted(context: string): void {
    const read = this.reads.get(context)
    if (read) read.phase = { kind: 'confirming' }
  }

  /** Records read states from a `Ready`. */
  confirmed(states: readonly ReadState[]): void {
    for (const state of states) {
      const read = this.reads.get(state.context)
      if (read) read.phase = { kind: 'confirmed', index: state.index }
    }
  }

  /** Serves every confirmed read whose index the state machine has applied. */
  serve(appliedIndex: number): void {
    for (const [context, read] of [...this.reads]) {
      if (read.phase.kind === 'confirmed' && read.phase.index <= appliedIndex) {
        this.take(context)?.resolve({ index: read.phase.index })
      }
    }
  }

  /**
   * Fails one read, or every read not confirmed yet (the node lost its leadership, which drops the reads it
   * was confirming). Confirmed reads stay: their index was valid when confirmed.
   */
  reject(context: string, error: Error): void {
    this.take(context)?.reject(error)
  }

  /** Fails every read that is not confirmed yet. */
  rejectUnconfirmed(error: () => Error): void {
    for (const [context, read] of [...this.reads])
      if (read.phase.kind !== 'confirmed') this.reject(context, error())
  }

  /** Fails every read (the host stops). */
  rejectAll(error: () => Error): void {
    for (const context of [...this.reads.keys()]) this.reject(context, error())
  }

  private take(context: string): Read | undefined {
    const read = this.reads.get(context)
    if (!read) return undefined
    this.reads.delete(context)
    read.release()
    return read
  }
}
