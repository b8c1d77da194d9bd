import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach } from 'vitest'
import {
  openSqliteRaftStorage,
  type SqliteRaftStorage,
  type SqliteRaftStorageOptions,
} from '../sqlite-raft-storage.js'

/** What {@link useTempStores} gives a test file. */
export interface TempStores {
  /** The directory of the running test (a new one per test, removed after it). */
  directory(): string
  /** `state.db` in that directory. */
  statePath(): string
  /** Opens a store (at `statePath()` unless told), closed after the test if the test did not close it. */
  open(options?: Partial<SqliteRaftStorageOptions>): SqliteRaftStorage
  /** The stores opened in the running test, oldest first. */
  readonly opened: readonly SqliteRaftStorage[]
}

/**
 * Registers hooks that give every test of the file a fresh directory and close the stores it opened; `open`
 * defaults to node `n1` of cluster `c1`.
 */
export function useTempStores(prefix: string): TempStores {
  let directory = ''
  const opened: SqliteRaftStorage[] = []
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), prefix))
  })
  afterEach(() => {
    for (const storage of opened.splice(0)) {
      try {
        storage.close()
      } catch {
        // already closed by the test
      }
    }
    rmSync(directory, { recursive: true, force: true })
  })
  const statePath = () => join(directory, 'state.db')
  return {
    directory: () => directory,
    statePath,
    open(options = {}) {
      const storage = openSqliteRaftStorage({ path: statePath(), nodeId: 'n1', clusterId: 'c1', ...options })
      opened.push(storage)
      return storage
    },
    opened,
  }
}
