import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isDwcpError, type StateChange } from '@dwcp/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openSqliteCrdtStore } from '../storage/sqlite-crdt-store.js'
import { openSqliteRaftStorage } from '../storage/sqlite-raft-storage.js'
import { MemoryCrdtStore } from './crdt-store.js'
import { crdtTestCluster } from './test-fixtures/memory-sync-network.js'

let directory: string

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'dwcp-crdt-store-'))
})

afterEach(() => {
  rmSync(directory, { recursive: true, force: true })
})

describe('CrdtReplicator persistence', () => {
  it('restores the document from an in-memory store on restart, telling observers', async () => {
    const store = new MemoryCrdtStore()
    const cluster = crdtTestCluster(['a', 'b'])
    const first = cluster.create('a', store)
    await first.start()
    await first.set('x', { n: 1 })
    await first.set('y', [1, 2])
    await first.delete('y')
    await first.stop()
    const second = cluster.create('a', store)
    const heard: StateChange[] = []
    second.observe('', (change) => heard.push(change))
    await second.start()
    expect(second.toJSON()).toEqual({ x: { n: 1 } })
    expect(heard).toEqual([{ key: 'x', value: { n: 1 } }])
    // A restarted replica writes under a new client id, so it never reuses one with a different history.
    expect(second.clientId).not.toBe(first.clientId)
  })

  it('stores remote updates too, and compacts past the threshold', async () => {
    const store = new MemoryCrdtStore()
    const cluster = crdtTestCluster(['a', 'b'])
    const a = cluster.create('a', undefined)
    const b = cluster.create('b', store, { compactAfterUpdates: 10 })
    await a.start()
    await b.start()
    for (let i = 0; i < 50; i++) {
      await (i % 2 ? a : b).set(`k${i % 5}`, i)
      cluster.clock.advance(100)
    }
    cluster.clock.advance(3000)
    expect(b.toJSON()).toEqual(a.toJSON())
    expect(store.updateCount).toBeLessThanOrEqual(11)
    const restored = cluster.create('b', store)
    await restored.start()
    expect(restored.toJSON()).toEqual(a.toJSON())
  })

  it('restores from a SQLite state store after the file is closed and reopened', async () => {
    const path = join(directory, 'state.db')
    const cluster = crdtTestCluster(['a'])
    const store = openSqliteCrdtStore({ path, nodeId: 'a', clusterId: 'c1' })
    const first = cluster.create('a', store, { compactAfterUpdates: 5 })
    await first.start()
    for (let i = 0; i < 12; i++) await first.set(`vm/${i % 4}`, { host: `h${i}` })
    await first.delete('vm/0')
    await first.stop()
    const expected = first.toJSON()
    store.close()

    const reopened = openSqliteCrdtStore({ path, nodeId: 'a', clusterId: 'c1' })
    expect(reopened.updateCount).toBeLessThanOrEqual(6)
    const second = cluster.create('a', reopened)
    await second.start()
    expect(second.toJSON()).toEqual(expected)
    expect(second.peek('vm/0')).toBeUndefined()
    await second.stop()
    reopened.close()

    // The CRDT table lives beside the Raft tables of the same state store, under the same identity checks.
    const raft = openSqliteRaftStorage({ path, nodeId: 'a', clusterId: 'c1' })
    expect(raft.load().entries).toEqual([])
    raft.close()
    let error: unknown
    try {
      openSqliteCrdtStore({ path, nodeId: 'b', clusterId: 'c1' })
    } catch (e) {
      error = e
    }
    expect(isDwcpError(error, 'DWCP_ERR_STATE_FOREIGN')).toBe(true)
  })

  it('opens a state store that the Raft storage created first', () => {
    const path = join(directory, 'state.db')
    openSqliteRaftStorage({ path, nodeId: 'a' }).close()
    const store = openSqliteCrdtStore({ path, nodeId: 'a' })
    expect(store.load()).toEqual([])
    store.append(Uint8Array.of(0, 0))
    expect(store.load()).toEqual([Uint8Array.of(0, 0)])
    store.close()
  })
})
