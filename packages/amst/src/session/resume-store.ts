import { type Clock, type TimerHandle, TransferFailedError } from '@dwcp/core'
import type { TransferReceiver } from './transfer-receiver.js'

interface Parked {
  receiver: TransferReceiver
  timer: TimerHandle
}

/**
 * Incoming transfers whose session died, kept (per transport) so that the sender can reconnect and resume from
 * the last acknowledged offset: its new offer with the same id and size re-attaches to the same sink and digest
 * state. Bounded in count and in time; what expires fails as it would have without resumption.
 */
export class ResumeStore {
  readonly #clock: Clock
  readonly #windowMs: number
  readonly #maxParked: number
  readonly #parked = new Map<string, Parked>()

  constructor(clock: Clock, windowMs: number, maxParked = 64) {
    this.#clock = clock
    this.#windowMs = windowMs
    this.#maxParked = maxParked
  }

  /** Number of transfers waiting for their sender. */
  get size(): number {
    return this.#parked.size
  }

  /** Parks a detached receiver of `peer`'s transfer. */
  park(peer: string, receiver: TransferReceiver): void {
    const key = `${peer}\u0000${receiver.id}`
    this.#expire(key, 'replaced by a newer transfer with the same id')
    if (this.#parked.size >= this.#maxParked) {
      const oldest = this.#parked.keys().next().value as string
      this.#expire(oldest, 'too many transfers waiting to resume')
    }
    const timer = this.#clock.setTimeout(
      () => this.#expire(key, `the sender did not reconnect within ${this.#windowMs} ms`),
      this.#windowMs,
    )
    this.#parked.set(key, { receiver, timer })
  }

  /** Takes the parked receiver for `peer`'s transfer `id` when the new offer matches its size. */
  take(peer: string, id: string, sizeBytes: number): TransferReceiver | undefined {
    const key = `${peer}\u0000${id}`
    const parked = this.#parked.get(key)
    if (!parked) return undefined
    this.#parked.delete(key)
    this.#clock.clearTimeout(parked.timer)
    if (parked.receiver.sizeBytes === sizeBytes) return parked.receiver
    parked.receiver.fail(new TransferFailedError(id, 'resumed with a different size'))
    return undefined
  }

  /** Fails every parked transfer (the transport stops). */
  clear(): void {
    for (const key of [...this.#parked.keys()]) this.#expire(key, 'transport stopped')
  }

  #expire(key: string, reason: string): void {
    const parked = this.#parked.get(key)
    if (!parked) return
    this.#parked.delete(key)
    this.#clock.clearTimeout(parked.timer)
    parked.receiver.fail(new TransferFailedError(parked.receiver.id, reason))
  }
}
