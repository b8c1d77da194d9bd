import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { FCC_HELD_OUT_EVERY, splitTraces } from './split.js'
import type { PensieveSplit, TraceFamily } from './trace-set.js'

/** The real trace list: file, family and Pensieve split of each of the 269 shared traces. */
function traceList(): Array<{ file: string; family: TraceFamily; pensieveSplit: PensieveSplit }> {
  const text = readFileSync(new URL('../../test-fixtures/trace-sources.csv', import.meta.url), 'utf8')
  const [header, ...rows] = text.trim().split('\n')
  expect(header).toBe('file,family,pensieve_split')
  return rows.map((row) => {
    const [file, family, pensieveSplit] = row.split(',')
    return { file: file!, family: family as TraceFamily, pensieveSplit: pensieveSplit as PensieveSplit }
  })
}

describe('splitTraces', () => {
  const traces = traceList()
  const split = splitTraces(traces)
  const files = (list: readonly { file: string }[]) => new Set(list.map((t) => t.file))

  it('puts every trace in exactly one set', () => {
    const all = [...split.train, ...split.validation, ...split.heldOut].map((t) => t.file)
    expect(traces).toHaveLength(269)
    expect(all).toHaveLength(269)
    expect(new Set(all).size).toBe(269)
    for (const [a, b] of [
      [split.train, split.validation],
      [split.train, split.heldOut],
      [split.validation, split.heldOut],
    ] as const)
      for (const file of files(a)) expect(files(b).has(file)).toBe(false)
  })

  it("holds out all of Pensieve's test split and every fifth FCC trace, and trains on neither", () => {
    const test = traces.filter((t) => t.pensieveSplit === 'test')
    const fcc = traces.filter((t) => t.family === 'fcc')
    const heldOutFcc = split.heldOut.filter((t) => t.family === 'fcc')
    expect(test).toHaveLength(142)
    for (const t of test) expect(files(split.heldOut).has(t.file)).toBe(true)
    expect(heldOutFcc).toHaveLength(Math.ceil(fcc.length / FCC_HELD_OUT_EVERY))
    expect(split.heldOut).toHaveLength(142 + 12)
    expect([...split.train, ...split.validation].every((t) => t.pensieveSplit === 'train')).toBe(true)
    // Both families remain in training and in validation.
    for (const set of [split.train, split.validation])
      expect(new Set(set.map((t) => t.family))).toEqual(new Set(['fcc', 'hsdpa']))
  })

  it('depends on file names only, not on the order traces come in', () => {
    const reversed = splitTraces([...traces].reverse())
    expect(reversed.heldOut.map((t) => t.file)).toEqual(split.heldOut.map((t) => t.file))
    expect(reversed.validation.map((t) => t.file)).toEqual(split.validation.map((t) => t.file))
  })
})
