import { type Clock, type Counter, isDwcpError, type Logger, type TimerHandle } from '@dwcp/core'
import type { Snapshot } from '../raft/types.js'
import type { RaftStorage } from '../storage/raft-storage.js'

/** Longest stretch of snapshot work (serializing, then writing) in one turn of the event loop, in milliseconds. */
export const SNAPSHOT_SLICE_MS = 4
/**
 * Share of the event loop's time snapshot work may take while it lasts. Done at every turn, the few hundred
 * milliseconds a snapshot of 100,000 keys costs fell within half a second and the leader's writes queued
 * behind it (p99 of that run 2–3 times the others'); at a quarter, it spreads over about 1.5 s and a write
 * waits at most one slice.
 */
export const SNAPSHOT_WORK_SHARE = 0.25

/** What {@link SnapshotWork} needs from its host. */
export interface SnapshotWorkOptions {
  clock: Clock
  storage: RaftStorage
  logger: Logger
  errors: Counter | undefined
  /** Compacts the Raft node's log to `index` with the state machine's `data`; undefined when obsolete. */
  compact: (index: number, data: Uint8Array) => Snapshot | undefined
  /** Asks the host for a turn (its ready work), when snapshot work may go on. */
  wake: () => void
}

/**
 * The background work of a snapshot: serializing the state machine in slices, then writing the snapshot to
 * storage (in steps when the storage has `beginCompaction`), within {@link SNAPSHOT_WORK_SHARE} of the event
 * loop so that writes keep flowing meanwhile. One snapshot at a time.
 */
export class SnapshotWork {
  #serializing: { index: number; step: () => Uint8Array | undefined } | undefined
  #writing: (() => boolean) | undefined
  #notBeforeMs = 0
  #timer: TimerHandle | undefined

  constructor(private readonly options: SnapshotWorkOptions) {}

  /** Whether a snapshot is being serialized or written. */
  get busy(): boolean {
    return this.#serializing !== undefined || this.#writing !== undefined
  }

  /** Starts a snapshot of the state at `index`, which `step` serializes a piece at a time (bytes when done). */
  serialize(index: number, step: () => Uint8Array | undefined): void {
    this.#serializing = { index, step }
  }

  /** Compacts to a snapshot serialized at once, and writes it (in steps, when the storage can). */
  store(index: number, data: Uint8Array): void {
    const snapshot = this.options.compact(index, data)
    if (!snapshot) return
    const storage = this.options.storage
    if (storage.beginCompaction) {
      this.#writing = storage.beginCompaction(snapshot)
      this.options.logger.debug({ index: snapshot.index }, 'took a snapshot; writing it')
      return
    }
    storage.compact(snapshot)
    this.options.logger.debug({ index: snapshot.index }, 'took a snapshot')
  }

  /**
   * Does up to {@link SNAPSHOT_SLICE_MS} of the work, unless the last slice was too recent for the share; asks
   * for a later turn while work is left.
   */
  run(): void {
    if (!this.busy) return
    const clock = this.options.clock
    const startedMs = clock.now()
    if (startedMs < this.#notBeforeMs) {
      this.#wakeAt(this.#notBeforeMs)
      return
    }
    do this.#step()
    while (this.busy && clock.now() - startedMs < SNAPSHOT_SLICE_MS)
    const endedMs = clock.now()
    this.#notBeforeMs = endedMs + (endedMs - startedMs) * (1 / SNAPSHOT_WORK_SHARE - 1)
    if (this.busy) this.#wakeAt(this.#notBeforeMs)
  }

  /**
   * Drops the work in progress: the log it would have compacted is all persisted, and a storage keeps the
   * previous snapshot until a new one is in place.
   */
  stop(): void {
    this.#serializing = undefined
    this.#writing = undefined
    if (this.#timer) this.options.clock.clearTimeout(this.#timer)
    this.#timer = undefined
  }

  #step(): void {
    const serializing = this.#serializing
    if (serializing) {
      const data = serializing.step()
      if (data === undefined) return
      this.#serializing = undefined
      this.store(serializing.index, data)
      return
    }
    const writing = this.#writing
    if (!writing) return
    try {
      if (!writing()) return
      this.options.logger.debug({}, 'snapshot written')
    } catch (error) {
      // The store is as it was: the previous snapshot and every entry. The next snapshot comes after another
      // `snapshotEveryEntries` entries.
      this.options.errors?.inc({
        component: 'raft',
        code: isDwcpError(error) ? error.code : 'DWCP_ERR_INTERNAL',
      })
      this.options.logger.error({ error }, 'writing a snapshot failed; the log stays uncompacted')
    }
    this.#writing = undefined
  }

  #wakeAt(atMs: number): void {
    if (this.#timer) return
    const clock = this.options.clock
    this.#timer = clock.setTimeout(
      () => {
        this.#timer = undefined
        this.options.wake()
      },
      Math.max(0, atMs - clock.now()),
    )
  }
}
