import { InvalidArgumentError } from '@dwcp/core'
import type { LinkConditions } from './link.js'

/**
 * Link conditions that can change while sessions run: give one to `memoryTransport({ conditions })` and every
 * link that transport dials follows {@link LinkProfile.set} from its next frame on, as a WAN path that is
 * re-profiled (a route change, a congested hop) would.
 */
export class LinkProfile implements LinkConditions {
  latencyMs = 0
  lossRate = 0
  rateBps = 0
  maxQueuedBytes = 8 * 1024 * 1024

  constructor(conditions: Partial<LinkConditions> = {}) {
    this.set(conditions)
  }

  /** Changes some conditions; the others stay. */
  set(conditions: Partial<LinkConditions>): void {
    const next = { ...this.#current(), ...conditions }
    if (!(next.latencyMs >= 0) || !(next.rateBps >= 0) || !(next.maxQueuedBytes > 0))
      throw new InvalidArgumentError('conditions', 'latency, rate and queue must be non-negative numbers')
    if (!(next.lossRate >= 0 && next.lossRate < 1))
      throw new InvalidArgumentError('conditions.lossRate', 'must be in 0..1 (1 excluded)')
    Object.assign(this, next)
  }

  #current(): LinkConditions {
    return {
      latencyMs: this.latencyMs,
      lossRate: this.lossRate,
      rateBps: this.rateBps,
      maxQueuedBytes: this.maxQueuedBytes,
    }
  }
}
