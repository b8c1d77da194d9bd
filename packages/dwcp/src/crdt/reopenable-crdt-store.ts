import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { type CrdtStore, openSqliteCrdtStore, type SqliteCrdtStore } from '@dwcp/ass-consensus'
import { NotStartedError } from '@dwcp/core'

/**
 * The CRDT updates in the node's `state.db`, opened when the node starts and closed when it stops, so that one
 * node object can be stopped and started again.
 */
export class ReopenableCrdtStore implements CrdtStore {
  #store: SqliteCrdtStore | undefined

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
    this.#store = openSqliteCrdtStore({ path: this.path, nodeId: this.nodeId, clusterId: this.clusterId })
  }

  load(): Uint8Array[] {
    return this.#current().load()
  }

  append(update: Uint8Array): void {
    this.#current().append(update)
  }

  compact(stateUpdate: Uint8Array): void {
    this.#current().compact(stateUpdate)
  }

  get updateCount(): number {
    return this.#current().updateCount
  }

  /** Closes the file if it is open. */
  close(): void {
    this.#store?.close()
    this.#store = undefined
  }

  #current(): SqliteCrdtStore {
    if (!this.#store) throw new NotStartedError(`state store ${this.path}`)
    return this.#store
  }
}
