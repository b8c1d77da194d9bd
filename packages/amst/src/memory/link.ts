import { type Clock, type Random, SessionClosedError, type TimerHandle } from '@dwcp/core'
import { cloneFrame, frameSizeBytes, type SessionFrame } from '../session/frames.js'

/** How an in-memory link behaves, to emulate a path. */
export interface LinkConditions {
  /** One-way delay in milliseconds. @default 0 */
  latencyMs: number
  /** Probability that a frame's first transmission is lost, 0..1. A lost frame is resent after a retransmission
   * timeout, and frames behind it wait (head-of-line blocking), as on a TCP stream. @default 0 */
  lossRate: number
  /** Serialisation rate in bits per second; 0 for unlimited. @default 0 */
  rateBps: number
  /** Bytes a link queues before `write` waits (backpressure). @default 8388608 (8 MiB) */
  maxQueuedBytes: number
}

interface Queued {
  frame: SessionFrame
  sizeBytes: number
  dueAtMs: number
}

/**
 * One direction of an in-memory stream: a bounded FIFO of frames with delay, rate and loss. Order is kept
 * (a frame is never delivered before the one ahead of it), as on a TCP connection.
 */
export class MemoryLink {
  readonly #clock: Clock
  readonly #random: Random
  readonly #conditions: LinkConditions
  readonly #queue: Queued[] = []
  readonly #spaceWaiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = []
  #queuedBytes = 0
  #timer: TimerHandle | undefined
  #lastDueAtMs = 0
  #closed = false
  #framesSent = 0
  #framesLost = 0
  /** Where delivered frames go. */
  deliver: (frame: SessionFrame) => void = () => {}

  constructor(clock: Clock, random: Random, conditions: LinkConditions) {
    this.#clock = clock
    this.#random = random
    this.#conditions = conditions
  }

  /** Frames sent and frames whose first transmission was lost. */
  get counters(): { framesSent: number; framesLost: number } {
    return { framesSent: this.#framesSent, framesLost: this.#framesLost }
  }

  /** Queues a frame; waits while the queue is over its bound. The frame is copied. */
  async write(frame: SessionFrame): Promise<void> {
    while (!this.#closed && this.#queuedBytes > 0 && this.#queuedBytes >= this.#conditions.maxQueuedBytes) {
      await new Promise<void>((resolve, reject) => this.#spaceWaiters.push({ resolve, reject }))
    }
    if (this.#closed) throw new SessionClosedError('stream closed')
    const sizeBytes = frameSizeBytes(frame)
    const nowMs = this.#clock.now()
    const { latencyMs, lossRate, rateBps } = this.#conditions
    const serialisationMs = rateBps > 0 ? (sizeBytes * 8 * 1000) / rateBps : 0
    this.#framesSent++
    let delayMs = latencyMs + serialisationMs
    if (lossRate > 0 && this.#random.next() < lossRate) {
      this.#framesLost++
      // A TCP sender notices the loss after about one RTT (fast retransmit) or an RTO; use 2 × one-way + 1 ms.
      delayMs += 2 * latencyMs + 1
    }
    // A frame cannot overtake the one queued before it.
    const dueAtMs = Math.max(nowMs + delayMs, this.#lastDueAtMs + serialisationMs)
    this.#lastDueAtMs = dueAtMs
    this.#queue.push({ frame: cloneFrame(frame), sizeBytes, dueAtMs })
    this.#queuedBytes += sizeBytes
    this.#schedule()
  }

  /** Drops everything queued and fails pending writers. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    if (this.#timer) this.#clock.clearTimeout(this.#timer)
    this.#timer = undefined
    this.#queue.length = 0
    this.#queuedBytes = 0
    for (const waiter of this.#spaceWaiters.splice(0)) waiter.reject(new SessionClosedError('stream closed'))
    this.deliver = () => {}
  }

  #schedule(): void {
    if (this.#timer || this.#closed) return
    const head = this.#queue[0]
    if (!head) return
    this.#timer = this.#clock.setTimeout(() => this.#flush(), head.dueAtMs - this.#clock.now())
  }

  #flush(): void {
    this.#timer = undefined
    const nowMs = this.#clock.now()
    // Deliver a bounded batch per turn so one busy link cannot starve the event loop.
    for (let delivered = 0; delivered < 64 && !this.#closed; delivered++) {
      const head = this.#queue[0]
      if (!head || head.dueAtMs > nowMs) break
      this.#queue.shift()
      this.#queuedBytes -= head.sizeBytes
      this.deliver(head.frame)
    }
    if (this.#queuedBytes < this.#conditions.maxQueuedBytes)
      for (const waiter of this.#spaceWaiters.splice(0)) waiter.resolve()
    this.#schedule()
  }
}
