import type { Session } from '@dwcp/core'

/** A session's pacing while migrations hold it: the rate it had before the first, restored after the last. */
interface PacingHold {
  count: number
  originalRateBps: number
}

const holds = new WeakMap<Session, PacingHold>()

/**
 * Takes a hold on `session`'s pacing (a migration sets its own rate while it runs); the first hold remembers the
 * rate the session had.
 */
export function holdPacing(session: Session, currentRateBps: number): void {
  const hold = holds.get(session) ?? { count: 0, originalRateBps: currentRateBps }
  hold.count++
  holds.set(session, hold)
}

/**
 * Releases a hold; returns the rate to restore when it was the last one (undefined while others still hold it,
 * or when there was no hold).
 */
export function releasePacing(session: Session): number | undefined {
  const hold = holds.get(session)
  if (!hold) return undefined
  hold.count--
  if (hold.count > 0) return undefined
  holds.delete(session)
  return hold.originalRateBps
}

/** Whether a migration holds `session`'s pacing now: the path policy leaves such a session's rate alone. */
export function isPacingHeld(session: Session): boolean {
  return (holds.get(session)?.count ?? 0) > 0
}
