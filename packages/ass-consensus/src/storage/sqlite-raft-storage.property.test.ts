import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Entry, HardState, PersistedState, Snapshot } from '../raft/types.js'
import type { StorageUpdate } from './raft-storage.js'
import { openSqliteRaftStorage, type SqliteRaftStorage } from './sqlite-raft-storage.js'

/** Pieces of a snapshot written by `beginCompaction`: small, so that the drawn snapshots take several. */
const CHUNK_BYTES = 4

/** The obvious in-memory store the SQLite one must behave like. */
class ModelStorage {
  hardState: HardState = { term: 0, vote: undefined, commit: 0 }
  entries: Entry[] = []
  snapshot: Snapshot | undefined = undefined

  get snapshotIndex(): number {
    return this.snapshot?.index ?? 0
  }

  get lastIndex(): number {
    return this.entries.at(-1)?.index ?? this.snapshotIndex
  }

  termAt(index: number): number {
    return this.entries.find((entry) => entry.index === index)?.term ?? this.snapshot?.term ?? 0
  }

  save(update: StorageUpdate): void {
    if (update.snapshot !== undefined) {
      this.snapshot = update.snapshot
      this.entries = []
    }
    const first = update.entries[0]
    if (first !== undefined) {
      this.entries = [...this.entries.filter((entry) => entry.index < first.index), ...update.entries]
    }
    if (update.hardState !== undefined) this.hardState = update.hardState
  }

  compact(snapshot: Snapshot): void {
    this.snapshot = snapshot
    this.entries = this.entries.filter((entry) => entry.index > snapshot.index)
  }

  load(): PersistedState {
    return { hardState: this.hardState, entries: this.entries, snapshot: this.snapshot }
  }
}

/**
 * Operations drawn without knowing the store's state; {@link apply} places them in the current log (a fraction
 * picks where entries start or where a compaction cuts), so every drawn sequence is a valid one.
 */
type Operation =
  | {
      kind: 'save'
      startFraction: number
      count: number
      term: number
      payloads: (Uint8Array | undefined)[]
      voters: (string[] | undefined)[]
      snapshotAhead: number | undefined
      hardState: HardState | undefined
    }
  | {
      kind: 'compact'
      cutFraction: number
      data: Uint8Array
      /** whole: `compact`; steps: every step of `beginCompaction`; interrupted: some steps, then a reopen. */
      mode: 'whole' | 'steps' | 'interrupted'
      interruptAfter: number
    }
  | { kind: 'reopen' }

const nodeIds = fc.array(fc.constantFrom('n1', 'n2', 'n3', 'n4'), { maxLength: 3 })
const payload = fc.option(fc.uint8Array({ maxLength: 16 }), { nil: undefined })
const hardState: fc.Arbitrary<HardState> = fc.record({
  term: fc.nat(20),
  vote: fc.option(fc.constantFrom('n1', 'n2'), { nil: undefined }),
  commit: fc.nat(50),
})

const operation: fc.Arbitrary<Operation> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('save' as const),
      startFraction: fc.double({ min: 0, max: 1, noNaN: true }),
      count: fc.nat(4),
      term: fc.nat(10),
      payloads: fc.array(payload, { minLength: 4, maxLength: 4 }),
      voters: fc.array(fc.option(nodeIds, { nil: undefined }), { minLength: 4, maxLength: 4 }),
      snapshotAhead: fc.option(fc.nat(5), { nil: undefined, freq: 5 }),
      hardState: fc.option(hardState, { nil: undefined }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('compact' as const),
      cutFraction: fc.double({ min: 0, max: 1, noNaN: true }),
      data: fc.uint8Array({ maxLength: 5 * CHUNK_BYTES }),
      mode: fc.constantFrom('whole' as const, 'steps' as const, 'interrupted' as const),
      interruptAfter: fc.nat(8),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'reopen' as const }) },
)

function saveUpdate(model: ModelStorage, op: Extract<Operation, { kind: 'save' }>): StorageUpdate {
  const update: StorageUpdate = { entries: [] }
  if (op.snapshotAhead !== undefined) {
    const index = model.lastIndex + op.snapshotAhead
    update.snapshot = { index, term: op.term, voters: ['n1'], data: Uint8Array.of(index & 0xff) }
  }
  const snapshotIndex = update.snapshot?.index ?? model.snapshotIndex
  const lastIndex = update.snapshot?.index ?? model.lastIndex
  const start = snapshotIndex + 1 + Math.floor(op.startFraction * (lastIndex - snapshotIndex + 0.999))
  update.entries = Array.from({ length: op.count }, (_, offset) => {
    const entry: Entry = { index: start + offset, term: op.term, data: op.payloads[offset] }
    const voters = op.voters[offset]
    if (voters !== undefined) entry.voters = voters
    return entry
  })
  // A plain copy: fast-check's records have a null prototype, which a strict comparison tells apart.
  if (op.hardState !== undefined) update.hardState = { ...op.hardState }
  return update
}

function compactSnapshot(model: ModelStorage, op: Extract<Operation, { kind: 'compact' }>): Snapshot {
  const index =
    model.snapshotIndex + Math.floor(op.cutFraction * (model.lastIndex - model.snapshotIndex + 0.999))
  return { index, term: model.termAt(index), voters: ['n1', 'n2'], data: op.data }
}

describe('SQLite raft storage against an in-memory model', () => {
  it('gives the same load() as the model after any sequence of saves, compactions and reopens', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 14 }), (operations) => {
        const directory = mkdtempSync(join(tmpdir(), 'dwcp-raft-model-'))
        const path = join(directory, 'state.db')
        const openStore = (): SqliteRaftStorage =>
          openSqliteRaftStorage({ path, nodeId: 'n1', clusterId: 'c1', snapshotChunkBytes: CHUNK_BYTES })
        let storage = openStore()
        try {
          const model = new ModelStorage()
          for (const op of operations) {
            if (op.kind === 'save') {
              const update = saveUpdate(model, op)
              storage.save(update)
              model.save(update)
            } else if (op.kind === 'compact') {
              const snapshot = compactSnapshot(model, op)
              if (op.mode === 'whole') {
                storage.compact(snapshot)
                model.compact(snapshot)
              } else if (op.mode === 'steps') {
                const step = storage.beginCompaction(snapshot)
                while (!step()) {}
                model.compact(snapshot)
              } else {
                const step = storage.beginCompaction(snapshot)
                let done = false
                for (let i = 0; i < op.interruptAfter && !done; i++) done = step()
                // In place once every piece and the placing step ran (a snapshot of one piece: its first step).
                const pieces = Math.ceil(snapshot.data.byteLength / CHUNK_BYTES)
                const atOnce = pieces <= 1 || snapshot.index === model.snapshotIndex
                const placedAfter = atOnce ? 1 : pieces + 1
                if (op.interruptAfter >= placedAfter) model.compact(snapshot)
                storage.close()
                storage = openStore()
              }
            } else {
              storage.close()
              storage = openStore()
            }
            expect(storage.load()).toStrictEqual(model.load())
          }
          storage.close()
          storage = openStore()
          expect(storage.load()).toStrictEqual(model.load())
        } finally {
          storage.close()
          rmSync(directory, { recursive: true, force: true })
        }
      }),
      { numRuns: 40 },
    )
  })
})
