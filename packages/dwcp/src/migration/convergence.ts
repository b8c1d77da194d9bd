import { PAGE_BYTES } from './file-workload.js'
import type { RoundStats } from './round-sender.js'

/** Encode cost assumed per changed page before a delta round has measured it: 20 µs (read, XBZRLE, frame). */
const DEFAULT_ENCODE_MS_PER_PAGE = 0.02
/** A round "shrinks" when it leaves fewer than this share of the previous round's dirty pages. */
const SHRINK_RATIO = 0.9

/** What pre-copy remembers between rounds, and why it stopped. */
export interface ConvergenceState {
  previousDirty: number
  stalls: number
  /** `budget`: the rest fits the downtime budget; `max-rounds`; `stalled`: rounds stopped shrinking. */
  reason: 'budget' | 'max-rounds' | 'stalled'
}

/** What the next decision is made from. */
export interface ConvergenceInput {
  dirtyPages: number
  /** The round just finished. */
  last: RoundStats
  round: number
  maxRounds: number
  downtimeBudgetMs: number
  /** The path forecast, when the node has one; otherwise the last round's measured rate is used. */
  predictedBytesPerSecond: number | undefined
  /** Round-trip time of the path (the stop-and-copy round waits for the target's confirmation), if measured. */
  rttMs?: number | undefined
  canThrottle: boolean
}

/**
 * Predicted stop-and-copy time for `dirtyPages`: their encode time (per page, as the last delta round measured)
 * plus their wire bytes (per page, as the last round compressed) at the last delta round's measured rate (after
 * the full round: the higher of the predicted bandwidth and its measured rate), plus one round trip (the target
 * confirms it applied them).
 */
export function predictedStopMs(input: ConvergenceInput): number {
  const { last, dirtyPages } = input
  const delta = last.kind !== 'full' && last.pages > 0
  const encodeMsPerPage = delta ? last.encodeMs / last.pages : DEFAULT_ENCODE_MS_PER_PAGE
  const wirePerPage = last.pages > 0 ? Math.min(PAGE_BYTES, last.wireBytes / last.pages) : PAGE_BYTES
  const measured = last.transferMs > 0 ? (last.wireBytes / last.transferMs) * 1000 : undefined
  // After a delta round, its own rate is how the stop-and-copy will go: a small round is a burst on one ordered
  // stream after an idle spell (slow start again, loss recovery on that stream alone), far below what the path's
  // forecast says bulk transfers over every stream get. After the full round, both are goodput, lower bounds of
  // what the path carries: the higher one is the better estimate.
  const bytesPerSecond =
    (delta && measured !== undefined
      ? measured
      : Math.max(input.predictedBytesPerSecond ?? 0, measured ?? 0)) || 1e8
  return (
    dirtyPages * encodeMsPerPage + ((dirtyPages * wirePerPage) / bytesPerSecond) * 1000 + (input.rttMs ?? 0)
  )
}

/**
 * Decides after each round: `stop` (go to stop-and-copy) when the remainder is predicted to fit the downtime
 * budget, when the next round would be the last allowed, or when rounds stopped shrinking twice and the writer
 * cannot be slowed further; `throttle` (then continue) when a round does not shrink and the writer may be
 * slowed (again); else `continue`.
 */
export function decideNextStep(
  state: ConvergenceState,
  input: ConvergenceInput,
): 'continue' | 'throttle' | 'stop' {
  if (input.dirtyPages === 0 || predictedStopMs(input) <= input.downtimeBudgetMs) {
    state.reason = 'budget'
    return 'stop'
  }
  if (input.round + 1 >= input.maxRounds) {
    state.reason = 'max-rounds'
    return 'stop'
  }
  const shrinking = input.dirtyPages < state.previousDirty * SHRINK_RATIO
  state.previousDirty = input.dirtyPages
  if (shrinking) return 'continue'
  state.stalls++
  if (input.canThrottle) return 'throttle'
  if (state.stalls >= 2) {
    state.reason = 'stalled'
    return 'stop'
  }
  return 'continue'
}
