/**
 * What a leader knows about one follower's log. In `probe` it sends one append at a time and waits for the
 * answer (the follower's log position is unknown); in `replicate` it streams appends optimistically; in
 * `snapshot` the follower needs entries compacted away and the leader has sent its snapshot.
 */
export interface Progress {
  /** Highest index known to match the leader's log. */
  match: number
  /** Next index to send. */
  next: number
  state: 'probe' | 'replicate' | 'snapshot'
  /** In `snapshot`, ticks since the snapshot was sent: it is sent again after an election timeout. */
  snapshotTicks: number
  /** In `probe`, an append is in flight: wait for its answer or the next heartbeat. */
  paused: boolean
  /** Heard from this follower since the last check-quorum round. */
  recentActive: boolean
}

/** Progress of a follower right after this node became leader with `lastIndex` entries. */
export function initialProgress(lastIndex: number): Progress {
  return {
    match: 0,
    next: lastIndex + 1,
    state: 'probe',
    paused: false,
    recentActive: false,
    snapshotTicks: 0,
  }
}

/**
 * The highest index stored on a majority, given every voter's match index (the leader's own included).
 * With n voters, the ⌊n/2⌋-th largest is on ⌊n/2⌋ + 1 of them. Reorders `matches`.
 */
export function quorumIndex(matches: number[]): number {
  // Sorted in place, descending, by insertion: a handful of voters, no allocation (this runs per answer).
  for (let i = 1; i < matches.length; i++) {
    const value = matches[i]!
    let j = i - 1
    for (; j >= 0 && matches[j]! < value; j--) matches[j + 1] = matches[j]!
    matches[j + 1] = value
  }
  return matches[Math.floor(matches.length / 2)] ?? 0
}
