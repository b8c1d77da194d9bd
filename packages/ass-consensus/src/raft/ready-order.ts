import type { Message } from './types.js'

/**
 * Whether a message of a `Ready` may leave before that `Ready`'s entries and hard state are persisted: a
 * leader's replication (`append`, `snapshot`). The leader counts its own entries towards a commit only once
 * they are persisted, so sending first lets its disk write overlap the followers'. Votes, acknowledgements and
 * everything else must wait for the write they depend on.
 */
export function sendableBeforePersist(m: Message): boolean {
  return m.type === 'append' || m.type === 'snapshot'
}
