import {
  copyFileSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openSqliteRaftStorage } from './sqlite-raft-storage.js'
import { backupStateFile, verifyStateFile } from './state-file.js'

let dir: string
const owner = { nodeId: 'n1', clusterId: 'c1' }
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'state-file-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

function liveStore() {
  const storage = openSqliteRaftStorage({ path: join(dir, 'state.db'), ...owner })
  storage.save({
    entries: [
      { index: 1, term: 1, data: new Uint8Array(5000).fill(1) },
      { index: 2, term: 1, data: new Uint8Array(9000).fill(2) },
    ],
    hardState: { term: 1, vote: 'n1', commit: 2 },
  })
  return storage
}

describe('state.db backup and verification', () => {
  it('copies a store that is open for writing into one verified, self-contained file', async () => {
    const storage = liveStore()
    const info = await backupStateFile({ source: storage.path, destination: join(dir, 'backup.db'), owner })
    expect(info).toMatchObject({
      nodeId: 'n1',
      clusterId: 'c1',
      schemaVersion: 2,
      term: 1,
      commitIndex: 2,
      lastIndex: 2,
    })
    storage.save({
      entries: [{ index: 3, term: 1, data: undefined }],
      hardState: { term: 1, vote: 'n1', commit: 3 },
    })
    storage.close()
    // Journal mode DELETE: header bytes 18 and 19 are 1, so the file needs no -wal beside it.
    expect([...readFileSync(join(dir, 'backup.db')).subarray(18, 20)]).toEqual([1, 1])
    expect((await verifyStateFile(join(dir, 'backup.db'), owner)).lastIndex).toBe(2)
    await expect(
      backupStateFile({ source: storage.path, destination: join(dir, 'backup.db'), owner }),
    ).rejects.toThrow(/never overwrites/)
  })

  it('refuses truncated, empty, foreign and non-database files with typed errors', async () => {
    const storage = liveStore()
    const good = join(dir, 'good.db')
    await backupStateFile({ source: storage.path, destination: good, owner })
    storage.close()
    const cut = join(dir, 'cut.db')
    copyFileSync(good, cut)
    truncateSync(cut, statSync(cut).size - 4096)
    await expect(verifyStateFile(cut, owner)).rejects.toMatchObject({ code: 'DWCP_ERR_STATE_CORRUPT' })
    await expect(verifyStateFile(good, { nodeId: 'n2', clusterId: 'c1' })).rejects.toMatchObject({
      code: 'DWCP_ERR_STATE_FOREIGN',
    })
    await expect(verifyStateFile(good, { nodeId: 'n1', clusterId: 'c2' })).rejects.toMatchObject({
      code: 'DWCP_ERR_STATE_FOREIGN',
    })
    writeFileSync(join(dir, 'text.db'), 'x'.repeat(4096))
    await expect(verifyStateFile(join(dir, 'text.db'), owner)).rejects.toThrow(/not a SQLite database/)
    writeFileSync(join(dir, 'empty.db'), '')
    await expect(verifyStateFile(join(dir, 'empty.db'), owner)).rejects.toThrow(/empty/)
  })

  it('refuses a file whose pages fail SQLite’s integrity check', async () => {
    const storage = liveStore()
    const good = join(dir, 'good.db')
    await backupStateFile({ source: storage.path, destination: good, owner })
    storage.close()
    const bytes = readFileSync(good)
    // Scribble over the second page (a b-tree page) but keep the length and the header.
    bytes.fill(0xff, 4096 + 8, 4096 + 200)
    writeFileSync(join(dir, 'scribbled.db'), bytes)
    await expect(verifyStateFile(join(dir, 'scribbled.db'), owner)).rejects.toMatchObject({
      code: 'DWCP_ERR_STATE_CORRUPT',
    })
  })
})
