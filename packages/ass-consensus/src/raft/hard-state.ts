import type { HardState } from './types.js'

/** Whether two hard states are equal: a `Ready` carries the hard state only when it changed. */
export function sameHardState(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit
}
