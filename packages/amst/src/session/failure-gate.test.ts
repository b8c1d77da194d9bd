import { describe, expect, it } from 'vitest'
import { FailureGate } from './failure-gate.js'

describe('FailureGate', () => {
  it('settles with the work, and forgets the wait once the work settled', async () => {
    const gate = new FailureGate()
    expect(await gate.until(Promise.resolve(7))).toBe(7)
    await expect(gate.until(Promise.reject(new Error('work failed')))).rejects.toThrow('work failed')
    // Nothing of a settled wait stays attached to the gate: a long transfer does not pile up its chunks.
    expect(gate.waiting).toBe(0)
  })

  it('fails the waits in progress and every later one with the first failure', async () => {
    const gate = new FailureGate()
    const pending = gate.until(new Promise<never>(() => {}))
    expect(gate.waiting).toBe(1)
    gate.fail(new Error('session closed'))
    gate.fail(new Error('second'))
    await expect(pending).rejects.toThrow('session closed')
    await expect(gate.until(Promise.resolve(1))).rejects.toThrow('session closed')
    expect(gate.waiting).toBe(0)
    expect(gate.failure?.message).toBe('session closed')
  })
})
