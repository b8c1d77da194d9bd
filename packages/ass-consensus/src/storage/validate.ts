import { InvalidArgumentError } from '@dwcp/core'
import type { Entry, HardState, Snapshot } from '../raft/types.js'

/**
 * Checks the shape of entries about to be written: each a positive integer index, the indexes contiguous, a
 * non-negative integer term, `data` bytes or `undefined`, `voters` a list of node ids or `undefined`. Where the
 * entries sit in the stored log is checked by the store, which knows the log.
 *
 * @throws InvalidArgumentError naming the first offending entry.
 */
export function validateEntries(entries: readonly Entry[]): void {
  if (!Array.isArray(entries)) throw new InvalidArgumentError('entries', 'must be an array')
  const first = entries[0]
  if (first === undefined) return
  if (!isPositiveInteger(first.index))
    throw new InvalidArgumentError('entries[0].index', 'must be an integer ≥ 1')
  entries.forEach((entry, position) => {
    const name = `entries[${position}]`
    if (entry.index !== first.index + position) {
      throw new InvalidArgumentError(
        `${name}.index`,
        `must be ${first.index + position} (entries are contiguous)`,
      )
    }
    if (!isNonNegativeInteger(entry.term))
      throw new InvalidArgumentError(`${name}.term`, 'must be an integer ≥ 0')
    if (entry.data !== undefined && !(entry.data instanceof Uint8Array)) {
      throw new InvalidArgumentError(`${name}.data`, 'must be a Uint8Array or undefined')
    }
    if (entry.voters !== undefined && !isNodeIdList(entry.voters)) {
      throw new InvalidArgumentError(`${name}.voters`, 'must be a list of node ids or undefined')
    }
  })
}

/**
 * Checks the shape of a snapshot: a non-negative integer index and term, a list of voters and data bytes.
 *
 * @throws InvalidArgumentError naming the offending field.
 */
export function validateSnapshot(snapshot: Snapshot): void {
  if (typeof snapshot !== 'object' || snapshot === null)
    throw new InvalidArgumentError('snapshot', 'must be an object')
  if (!isNonNegativeInteger(snapshot.index))
    throw new InvalidArgumentError('snapshot.index', 'must be an integer ≥ 0')
  if (!isNonNegativeInteger(snapshot.term))
    throw new InvalidArgumentError('snapshot.term', 'must be an integer ≥ 0')
  if (!isNodeIdList(snapshot.voters))
    throw new InvalidArgumentError('snapshot.voters', 'must be a list of node ids')
  if (!(snapshot.data instanceof Uint8Array))
    throw new InvalidArgumentError('snapshot.data', 'must be a Uint8Array')
}

/**
 * Checks the shape of a hard state: non-negative integer term and commit, a node id or `undefined` as vote.
 *
 * @throws InvalidArgumentError naming the offending field.
 */
export function validateHardState(hardState: HardState): void {
  if (typeof hardState !== 'object' || hardState === null) {
    throw new InvalidArgumentError('hardState', 'must be an object')
  }
  if (!isNonNegativeInteger(hardState.term))
    throw new InvalidArgumentError('hardState.term', 'must be an integer ≥ 0')
  if (!isNonNegativeInteger(hardState.commit)) {
    throw new InvalidArgumentError('hardState.commit', 'must be an integer ≥ 0')
  }
  if (hardState.vote !== undefined && typeof hardState.vote !== 'string') {
    throw new InvalidArgumentError('hardState.vote', 'must be a node id or undefined')
  }
}

function isNonNegativeInteger(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0
}

function isPositiveInteger(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 1
}

function isNodeIdList(value: unknown): boolean {
  return Array.isArray(value) && value.every((item) => typeof item === 'string')
}
