import { InvalidArgumentError } from '@dwcp/core'
import type { KvOperation, LinearizabilityResult } from './kv-history.js'

/** Most states explored per key before the checker gives up with an error rather than run for hours. */
const DEFAULT_MAX_STATES = 5_000_000

/**
 * Checks that a key/value history is linearizable: that there is one total order of its operations, consistent
 * with real time (an operation that returned before another was called comes first) and with a register per key
 * (a get returns the latest put, or nothing before any put). A register per key makes the check compositional:
 * each key is checked alone (Herlihy and Wing's locality), with the Wing–Gong–Lowe search (as in Porcupine):
 * depth-first over the operations that may go next — those called before the earliest return among the ones
 * left — memoising (operations done, register value) so that no state is explored twice. An operation that
 * never returned may take effect or not: a put with a lost reply may have been applied, a lost get says nothing.
 *
 * @throws InvalidArgumentError when a key needs more than `maxStates` states (pathological concurrency)
 */
export function checkLinearizable(
  history: readonly KvOperation[],
  options: { maxStates?: number } = {},
): LinearizabilityResult {
  const maxStates = options.maxStates ?? DEFAULT_MAX_STATES
  const byKey = new Map<string, KvOperation[]>()
  for (const op of history) {
    if (!(op.returnAt >= op.callAt))
      throw new InvalidArgumentError('history', `an operation of ${op.client} returns before it is called`)
    // A get that never returned constrains nothing.
    if (op.kind === 'get' && op.returnAt === Number.POSITIVE_INFINITY) continue
    const ops = byKey.get(op.key) ?? []
    ops.push(op)
    byKey.set(op.key, ops)
  }
  let explored = 0
  for (const [key, ops] of byKey) {
    const result = checkRegister(ops, maxStates - explored)
    explored += result.explored
    if (!result.ok) return { ok: false, key, explored }
  }
  return { ok: true, explored }
}

function checkRegister(ops: readonly KvOperation[], maxStates: number): { ok: boolean; explored: number } {
  const n = ops.length
  const done = new Uint8Array(n)
  const seen = new Set<string>()
  let explored = 0
  // Operations that never returned may be left out; the others must all be placed.
  const mustPlace = ops.filter((op) => op.returnAt !== Number.POSITIVE_INFINITY).length
  let placedRequired = 0

  const search = (value: string | undefined): boolean => {
    if (placedRequired === mustPlace) return true
    const memo = `${Array.from(done).join('')}|${value === undefined ? '\u0000' : `=${value}`}`
    if (seen.has(memo)) return false
    seen.add(memo)
    if (++explored > maxStates)
      throw new InvalidArgumentError('history', `more than ${maxStates} states to explore for one key`)
    // Only operations called before every pending operation has returned may be linearized next.
    let earliestReturn = Number.POSITIVE_INFINITY
    for (let i = 0; i < n; i++)
      if (!done[i]) earliestReturn = Math.min(earliestReturn, (ops[i] as KvOperation).returnAt)
    for (let i = 0; i < n; i++) {
      const op = ops[i] as KvOperation
      if (done[i] || op.callAt > earliestReturn) continue
      if (op.kind === 'get' && op.value !== value) continue
      done[i] = 1
      const required = op.returnAt !== Number.POSITIVE_INFINITY
      if (required) placedRequired++
      const found = search(op.kind === 'put' ? op.value : value)
      done[i] = 0
      if (required) placedRequired--
      if (found) return true
    }
    return false
  }
  const ok = search(undefined)
  return { ok, explored }
}
