import { InvalidArgumentError } from '@dwcp/core'
import type { GossipSettings } from './gossip.js'
import type { CrdtReplicatorOptions } from './types.js'
import { DEFAULT_SYNC_WIRE_LIMITS } from './wire-limits.js'

/**
 * The gossip settings of a replicator: its options with every default filled in, each checked to be a
 * positive number (a zero period would spin the clock, a zero bound would drop everything).
 *
 * @throws InvalidArgumentError naming the first option that is not positive.
 */
export function gossipSettings(options: CrdtReplicatorOptions): GossipSettings {
  return {
    intervalMs: positive('intervalMs', options.intervalMs ?? 200),
    fanout: positive('fanout', options.fanout ?? 3),
    rumorRounds: positive('rumorRounds', options.rumorRounds ?? 3),
    maxRumors: positive('maxRumors', options.maxRumors ?? 10_000),
    antiEntropyIntervalMs: positive('antiEntropyIntervalMs', options.antiEntropyIntervalMs ?? 1000),
    maxMessageBytes: positive(
      'maxMessageBytes',
      options.maxMessageBytes ?? DEFAULT_SYNC_WIRE_LIMITS.maxMessageBytes,
    ),
    maxUpdatesPerBatch: positive(
      'maxUpdatesPerBatch',
      options.maxUpdatesPerBatch ?? DEFAULT_SYNC_WIRE_LIMITS.maxUpdatesPerBatch,
    ),
  }
}

/** `value` when it is a finite number above zero. @throws InvalidArgumentError otherwise. */
export function positive(name: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0))
    throw new InvalidArgumentError(name, `must be positive, got ${value}`)
  return value
}
