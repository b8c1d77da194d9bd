import { manualClock, silentLogger } from '@dwcp/core'
import { describe, expect, it } from 'vitest'
import type { Snapshot } from '../raft/types.js'
import { SNAPSHOT_SLICE_MS, SNAPSHOT_WORK_SHARE, SnapshotWork } from './snapshot-work.js'
import { MemoryRaftStorage } from './test-fixtures/memory-storage.js'

/** A serialization of `steps` steps that each take `stepMs` of the clock's time. */
function slowSerialization(clock: ReturnType<typeof manualClock>, steps: number, stepMs: number) {
  let left = steps
  return () => {
    clock.advance(stepMs)
    return --left > 0 ? undefined : Uint8Array.of(1, 2, 3)
  }
}

function setUp(compactionSteps?: number) {
  const clock = manualClock()
  const storage = new MemoryRaftStorage(compactionSteps === undefined ? {} : { compactionSteps })
  let wakes = 0
  const compacted: number[] = []
  const work = new SnapshotWork({
    clock,
    storage,
    logger: silentLogger(),
    errors: undefined,
    compact: (index, data): Snapshot => {
      compacted.push(index)
      return { index, term: 1, voters: ['a'], data }
    },
    wake: () => {
      wakes++
      work.run()
    },
  })
  return { clock, storage, work, compacted, wakes: () => wakes }
}

describe('SnapshotWork', () => {
  it('works in slices within its share of the time, then compacts and stores the snapshot', () => {
    const { clock, storage, work, compacted, wakes } = setUp()
    work.serialize(7, slowSerialization(clock, 20, 1))
    const startedMs = clock.now()
    work.run()
    // One slice, then a rest three times as long before the timer asks for the next turn.
    expect(clock.now() - startedMs).toBe(SNAPSHOT_SLICE_MS)
    expect(work.busy).toBe(true)
    work.run()
    expect(clock.now() - startedMs).toBe(SNAPSHOT_SLICE_MS)
    // The next timer each time (advance() would set the time back after the slices inside it moved it on).
    while (work.busy) clock.runNext()
    expect(compacted).toEqual([7])
    expect(storage.snapshot?.index).toBe(7)
    // 20 ms of work: 5 slices of 4 ms, with a rest of 12 ms (three times a slice) after each of the first 4.
    const restMs = SNAPSHOT_SLICE_MS * (1 / SNAPSHOT_WORK_SHARE - 1)
    expect(wakes()).toBe(4)
    expect(clock.now() - startedMs).toBe(5 * SNAPSHOT_SLICE_MS + 4 * restMs)
  })

  it('writes through beginCompaction in steps when the storage has it', () => {
    const { clock, storage, work } = setUp(6)
    work.serialize(3, slowSerialization(clock, 1, 0))
    work.run()
    clock.advance(1_000)
    expect(storage.compactionStepsRun).toBe(6)
    expect(storage.snapshot?.index).toBe(3)
    expect(work.busy).toBe(false)
  })

  it('drops the work and its timer on stop', () => {
    const { clock, storage, work } = setUp()
    work.serialize(5, slowSerialization(clock, 50, 1))
    work.run()
    work.stop()
    expect(work.busy).toBe(false)
    expect(clock.pendingTimers).toBe(0)
    clock.advance(1_000)
    expect(storage.snapshot).toBeUndefined()
  })
})
