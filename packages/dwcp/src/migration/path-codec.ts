import { DEFAULT_MODE_THRESHOLDS, type PathClass } from '@dwcp/core'
import type { DwcpNode } from '../node.js'

/** How a migration encodes its rounds on one path. */
export interface MigrationCodecChoice {
  /** The path's class that decided it. */
  pathClass: PathClass
  /**
   * Round 1: `raw` sends the image as it is into a positional sink (a datacenter link is faster than any
   * compressor on two cores); `frames` sends it zstd-compressed page by page (zero pages cost a frame header).
   */
  fullRound: 'raw' | 'frames'
  /** zstd level of the delta codec for changed pages (and of round 1 in `frames`). */
  level: number
}

/**
 * The codec for the path to `peer`. Outside hybrid mode, the node's mode is the path's class. In hybrid mode the
 * node does not expose its detector's per-path class, so the peer's latest path sample is classified against the
 * detector's entry thresholds (RTT and loss; no hysteresis, one look at the start of the migration).
 */
export function codecForPath(node: DwcpNode, peer: string): MigrationCodecChoice {
  const pathClass = node.mode === 'hybrid' ? classifySample(node, peer) : node.mode
  return pathClass === 'datacenter'
    ? { pathClass, fullRound: 'raw', level: 1 }
    : { pathClass, fullRound: 'frames', level: 3 }
}

function classifySample(node: DwcpNode, peer: string): PathClass {
  const sample = node.session(peer)?.sample()
  if (!sample || sample.rttMs <= 0) return 'internet' // unmeasured: assume the worse path
  const t = DEFAULT_MODE_THRESHOLDS
  return sample.rttMs <= t.datacenterEnterRttMs && sample.lossRate <= t.datacenterEnterLossRate
    ? 'datacenter'
    : 'internet'
}
