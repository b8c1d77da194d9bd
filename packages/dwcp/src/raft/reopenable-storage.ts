import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import {
  openSqliteRaftStorage,
  type PersistedState,
  type RaftStorage,
  type Snapshot,
  type SqliteRaftStorage,
  type StorageUpdate,
} from '@dwcp/ass-consensus'
import { NotStartedError } from '@dwcp/core'

/**
 * The node's `state.db`, opened when the node starts and closed when it stops, so that one node object can be
 * stopped and started again (and the file backed up or replaced in between).
 */
export class ReopenableStorage implements RaftStorage {
  #store: SqliteRaftStorage | undefined

  constructor(
    /** Path of `state.db`. */
    readonly path: string,
    private readonly nodeId: string,
    private readonly clusterId: string,
  ) {}

  /** Whether the file is open. */
  get open(): boolean {
    return this.#store !== undefined
  }

  /** Opens the file (creating it and its directory on first use). */
  openStore(): void {
    if (this.#store) return
    mkdirSync(dirname(this.path), { recursive: true })
    this.#store = openSqliteRaftStorage({ path: this.path, nodeId: this.nodeId, clusterId: this.clusterId })
  }

  load(): PersistedState {
    return this.#current().load()
  }

  save(update: StorageUpdate): void {
    this.#current().save(update)
  }

  compact(snapshot: Snapshot): void {
    this.#current().compact(snapshot)
  }

  /** Steps of the open file's compaction; a step after the file was closed (or reopened) throws. */
  beginCompaction(snapshot: Snapshot): () => boolean {
    const store = this.#current()
    const step = store.beginCompaction(snapshot)
    return () => {
      if (this.#store !== store) throw new NotStartedError(`state store ${this.path} (reopened)`)
      return step()
    }
  }

  /** Closes the file if it is open. */
  close(): void {
    this.#store?.close()
    this.#store = undefined
  }

  #current(): SqliteRaftStorage {
    if (!this.#store) throw new NotStartedError(`state store ${this.path}`)
    return this.#store
  }
}
