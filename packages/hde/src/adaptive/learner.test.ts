import { describe, expect, it } from 'vitest'
import { probeSlice } from './adaptive-codec.js'
import { DeliveryPipeline } from './cost-model.js'
import { AdaptiveLearner } from './learner.js'

describe('AdaptiveLearner', () => {
  it('predicts every candidate from the class level times its same-data relative factor', () => {
    const learner = new AdaptiveLearner()
    learner.nextChunk('e5')
    learner.observeProbes('e5', [
      { name: 'fast', nsPerByte: 1, ratio: 0.5 },
      { name: 'strong', nsPerByte: 10, ratio: 0.25 },
    ])
    // Before any whole chunk: the anchor's probe ratio is the level.
    expect(learner.estimate('e5', 'fast')?.sizeRatio).toBeCloseTo(0.5)
    expect(learner.estimate('e5', 'strong')?.sizeRatio).toBeCloseTo(0.25)
    // A whole chunk that compressed better than the probe (fast: 0.3 instead of 0.5) lowers both predictions in
    // proportion, though only `fast` encoded it.
    learner.nextChunk('e5')
    learner.observeWhole('e5', 'fast', 2, 0.3)
    expect(learner.estimate('e5', 'fast')?.sizeRatio).toBeCloseTo(0.3)
    expect(learner.estimate('e5', 'strong')?.sizeRatio).toBeCloseTo(0.15)
    // Whole-chunk speed replaces the probe's.
    expect(learner.estimate('e5', 'fast')?.encodeNsPerByte).toBe(2)
    expect(learner.estimate('e5', 'strong')?.encodeNsPerByte).toBe(10)
  })

  it('does not favour a candidate that happened to encode the easy chunks', () => {
    const learner = new AdaptiveLearner()
    learner.nextChunk('e6')
    learner.observeProbes('e6', [
      { name: 'a', nsPerByte: 1, ratio: 0.4 },
      { name: 'b', nsPerByte: 1, ratio: 0.3 },
    ])
    // `a` encodes easy chunks (0.1), `b` hard ones (0.6): averaged per candidate, `a` would look six times
    // better; on the same data `b` stays 25 % smaller.
    for (const [name, ratio] of [
      ['a', 0.1],
      ['b', 0.6],
      ['a', 0.1],
    ] as const) {
      learner.nextChunk('e6')
      learner.observeWhole('e6', name, 1, ratio)
    }
    const a = learner.estimate('e6', 'a')?.sizeRatio ?? 0
    const b = learner.estimate('e6', 'b')?.sizeRatio ?? 0
    expect(b / a).toBeCloseTo(0.75)
  })

  it('knows nothing of a candidate it has not probed on the class', () => {
    const learner = new AdaptiveLearner()
    learner.nextChunk('e1')
    learner.observeProbes('e1', [{ name: 'a', nsPerByte: 1, ratio: 0.1 }])
    expect(learner.estimate('e1', 'b')).toBeUndefined()
    expect(learner.estimate('e2', 'a')).toBeUndefined()
    // Its speed seen on another class bounds it from below everywhere.
    expect(learner.speedBoundNsPerByte('e2', 'a')).toBe(1)
  })
})

describe('DeliveryPipeline', () => {
  it('weighs encode and wire time equally when balanced, and the leading one more', () => {
    const pipeline = new DeliveryPipeline(1)
    expect(pipeline.encodeWeight()).toBe(0.5)
    pipeline.add({ encodeMs: 100, wireMs: 100 })
    expect(pipeline.encodeWeight()).toBeCloseTo(0.5)
    pipeline.add({ encodeMs: 20, wireMs: 0 })
    expect(pipeline.encodeWeight()).toBeGreaterThan(0.6)
  })

  it('never treats a resource as free after one slow encode', () => {
    const pipeline = new DeliveryPipeline(1)
    pipeline.add({ encodeMs: 1000, wireMs: 1 })
    expect(pipeline.encodeWeight()).toBeLessThanOrEqual(0.95)
    // Sending 4 MiB raw at 100 Mbit/s (335 ms on the wire) still costs more than compressing it in 10 ms to 40 ms.
    expect(pipeline.score({ encodeMs: 0.5, wireMs: 335 })).toBeGreaterThan(
      pipeline.score({ encodeMs: 10, wireMs: 40 }),
    )
  })
})

describe('probeSlice', () => {
  it('gathers equal pieces from the middles of four parts of the chunk', () => {
    const chunk = new Uint8Array(400).map((_, i) => Math.floor(i / 100))
    const probe = probeSlice(chunk, 40)
    expect([...probe]).toEqual([
      ...Array(10).fill(0),
      ...Array(10).fill(1),
      ...Array(10).fill(2),
      ...Array(10).fill(3),
    ])
    expect(probeSlice(chunk, 1000)).toBe(chunk)
  })
})
