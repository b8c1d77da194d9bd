import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isDwcpError } from '@dwcp/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ReopenableStorage } from './reopenable-storage.js'

let directory: string

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'dwcp-reopenable-'))
})

afterEach(() => {
  rmSync(directory, { recursive: true, force: true })
})

/** A store with entries 1–10 in term 1 and a snapshot of `sizeBytes` at index 8 ready to be written. */
function storeWithLog(sizeBytes: number) {
  const storage = new ReopenableStorage(join(directory, 'data', 'state.db'), 'n1', 'c1')
  storage.openStore()
  storage.save({
    entries: Array.from({ length: 10 }, (_, i) => ({ index: i + 1, term: 1, data: Uint8Array.of(i) })),
    hardState: { term: 1, vote: 'n1', commit: 10 },
  })
  const snapshot = { index: 8, term: 1, voters: ['n1'], data: new Uint8Array(sizeBytes).fill(7) }
  return { storage, snapshot }
}

describe('ReopenableStorage', () => {
  it('writes a snapshot in steps through the open file', () => {
    const { storage, snapshot } = storeWithLog(1024 * 1024)
    const step = storage.beginCompaction(snapshot)
    let steps = 1
    while (!step()) steps++
    expect(steps).toBeGreaterThan(4)
    const loaded = storage.load()
    expect(loaded.snapshot?.index).toBe(8)
    expect(loaded.snapshot?.data).toEqual(snapshot.data)
    expect(loaded.entries.map((e) => e.index)).toEqual([9, 10])
    storage.close()
  })

  it('refuses a step after the file was closed and opened again, which keeps the previous state', () => {
    const { storage, snapshot } = storeWithLog(1024 * 1024)
    const step = storage.beginCompaction(snapshot)
    expect(step()).toBe(false)
    storage.close()
    storage.openStore()
    let error: unknown
    try {
      step()
    } catch (thrown) {
      error = thrown
    }
    expect(isDwcpError(error) && error.code).toBe('DWCP_ERR_NOT_STARTED')
    const loaded = storage.load()
    expect(loaded.snapshot).toBeUndefined()
    expect(loaded.entries).toHaveLength(10)
    storage.close()
  })
})
