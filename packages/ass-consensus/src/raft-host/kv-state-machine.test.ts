import type { StateChange } from '@dwcp/core'
import { describe, expect, it } from 'vitest'
import { decodeKvCommand, encodeKvCommand, KvStateMachine } from './kv-state-machine.js'

const text = new TextEncoder()

describe('KvStateMachine', () => {
  it('applies sets and deletes and tells observers of matching keys', () => {
    const sm = new KvStateMachine()
    const seen: StateChange[] = []
    const off = sm.observe('vm/', (c) => seen.push(c))
    sm.apply(encodeKvCommand({ op: 'set', key: 'vm/1', value: { host: 'a' } }), 1)
    sm.apply(encodeKvCommand({ op: 'set', key: 'other', value: 1 }), 2)
    sm.apply(encodeKvCommand({ op: 'delete', key: 'vm/1' }), 3)
    sm.apply(encodeKvCommand({ op: 'delete', key: 'vm/absent' }), 4)
    off()
    sm.apply(encodeKvCommand({ op: 'set', key: 'vm/2', value: 2 }), 5)
    expect(seen).toEqual([
      { key: 'vm/1', value: { host: 'a' } },
      { key: 'vm/1', value: undefined },
    ])
    expect(sm.get('other')).toBe(1)
  })

  it('ignores malformed commands, the same way on every node', () => {
    const sm = new KvStateMachine()
    for (const bad of ['not json', '[]', 'null', '{"op":"set","key":1,"value":1}', '{"op":"set","key":"k"}'])
      expect(sm.apply(text.encode(bad), 1)).toBeUndefined()
    expect(decodeKvCommand(text.encode('{"op":"drop","key":"k"}'))).toBeUndefined()
    expect(sm.size).toBe(0)
  })

  it('hands out copies so callers cannot change replicated state', () => {
    const sm = new KvStateMachine()
    sm.apply(encodeKvCommand({ op: 'set', key: 'k', value: { list: [1] } }), 1)
    const value = sm.get('k') as { list: number[] }
    value.list.push(2)
    expect(sm.get('k')).toEqual({ list: [1] })
  })

  it('snapshots deterministically and restores with a diff for observers', () => {
    const a = new KvStateMachine()
    const b = new KvStateMachine()
    a.apply(encodeKvCommand({ op: 'set', key: 'x', value: 1 }), 1)
    a.apply(encodeKvCommand({ op: 'set', key: 'y', value: 2 }), 2)
    b.apply(encodeKvCommand({ op: 'set', key: 'y', value: 2 }), 1)
    b.apply(encodeKvCommand({ op: 'set', key: 'x', value: 1 }), 2)
    expect(a.snapshot()).toEqual(b.snapshot())

    const c = new KvStateMachine()
    c.apply(encodeKvCommand({ op: 'set', key: 'y', value: 2 }), 1)
    c.apply(encodeKvCommand({ op: 'set', key: 'z', value: 3 }), 2)
    const seen: StateChange[] = []
    c.observe('', (change) => seen.push(change))
    c.restore(a.snapshot())
    expect(seen).toEqual([
      { key: 'x', value: 1 },
      { key: 'z', value: undefined },
    ])
    expect([c.get('x'), c.get('y'), c.get('z')]).toEqual([1, 2, undefined])
  })

  it('keeps calling observers when one throws', () => {
    const errors: unknown[] = []
    const sm = new KvStateMachine((e) => errors.push(e))
    const seen: string[] = []
    sm.observe('', () => {
      throw new Error('observer bug')
    })
    sm.observe('', (c) => seen.push(c.key))
    sm.apply(encodeKvCommand({ op: 'set', key: 'k', value: true }), 1)
    expect(seen).toEqual(['k'])
    expect(errors).toHaveLength(1)
  })

  it('serializes a snapshot in steps into the bytes snapshot() gave when it began, whatever is applied meanwhile', () => {
    for (const keys of [0, 1, 1999, 2000, 4001]) {
      const sm = new KvStateMachine()
      for (let i = 0; i < keys; i++)
        sm.apply(
          encodeKvCommand({ op: 'set', key: `k${(i * 7919) % 10007}`, value: { i, s: 'é"\\' } }),
          i + 1,
        )
      const expected = sm.snapshot()
      const step = sm.beginSnapshot()
      let bytes = step()
      let steps = 0
      while (bytes === undefined) {
        steps++
        sm.apply(encodeKvCommand({ op: 'set', key: `late${steps}`, value: steps }), keys + steps)
        sm.apply(encodeKvCommand({ op: 'delete', key: 'k0' }), keys + steps)
        bytes = step()
      }
      expect(Buffer.from(bytes).equals(Buffer.from(expected))).toBe(true)
      expect(steps).toBe(Math.ceil(keys / 2000))
      const restored = new KvStateMachine()
      restored.restore(bytes)
      expect(restored.size).toBe(keys)
    }
  })
})
