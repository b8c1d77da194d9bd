import type { Progress } from './progress.js'

/** Votes needed among `voters` nodes: a strict majority. */
export function quorumSize(voters: number): number {
  return Math.floor(voters / 2) + 1
}

/** Outcome of a (pre-)vote so far, given the answers received (this node's own included). */
export function voteOutcome(votes: ReadonlyMap<string, boolean>, voters: number): 'won' | 'lost' | 'pending' {
  let granted = 0
  let rejected = 0
  for (const v of votes.values()) v ? granted++ : rejected++
  if (granted >= quorumSize(voters)) return 'won'
  if (rejected >= quorumSize(voters)) return 'lost'
  return 'pending'
}

/**
 * Whether the leader heard from a quorum (itself included) since the last call, then starts a new round:
 * the check-quorum test a leader runs once per election timeout.
 */
export function takeQuorumActive(progress: Iterable<Progress>, voters: number): boolean {
  let active = 1
  for (const pr of progress) {
    if (pr.recentActive) active++
    pr.recentActive = false
  }
  return active >= quorumSize(voters)
}
