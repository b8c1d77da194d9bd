import type { PathClass } from '@dwcp/core'
import type { DwcpNode } from '../node.js'

/** How a migration encodes its rounds on one path. */
export interface MigrationCodecChoice {
  /** The path's class that decided it. */
  pathClass: PathClass
  /**
   * Round 1: `raw` sends the image as one transfer into a positional sink, each chunk through the node's codec
   * for the path (zero chunks as a header, lz4 on a datacenter path); `frames` sends it as records of runs of
   * pages, each run encoded by the node's codec for the path, several transfers in flight (a long path).
   */
  fullRound: 'raw' | 'frames'
  /** zstd level of pages sent whole or as `zstd-delta` in later rounds. */
  level: number
}

/**
 * The codec for the path to `peer`, by the path's class as the node sees it (`node.pathClass`): the node's mode
 * outside hybrid mode, the mode detector's live class of that path in hybrid mode (`internet` until classified).
 */
export function codecForPath(node: DwcpNode, peer: string): MigrationCodecChoice {
  const pathClass = node.pathClass(peer)
  return pathClass === 'datacenter'
    ? { pathClass, fullRound: 'raw', level: 1 }
    : { pathClass, fullRound: 'frames', level: 3 }
}
