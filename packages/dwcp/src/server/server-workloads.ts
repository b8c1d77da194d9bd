import { mkdirSync } from 'node:fs'
import { InvalidArgumentError } from '@dwcp/core'
import { acceptMigrations, type MigrationReceiver } from '../migration/accept.js'
import { FileWorkload } from '../migration/file-workload.js'
import { PlacementBook, registerWorkload } from '../migration/placement.js'
import type { DwcpNode } from '../node.js'
import type { JsonLogger } from './json-logger.js'

/** Workload ids become file names on the nodes they migrate to: keep them to a safe alphabet. */
const SAFE_ID = /^[A-Za-z0-9._-]{1,128}$/

/**
 * The workloads a `dwcp` server hosts: registered through the API (an image file on this host), or received by
 * live migration into `<data_dir>/workloads`, which the server accepts from any member. Rebalance and drain move
 * them with `migrate`; a workload moved away is closed here (its file stays, as a copy the cluster no longer
 * places here).
 */
export class ServerWorkloads {
  readonly #workloads = new Map<string, FileWorkload>()
  readonly #receiver: MigrationReceiver
  /** Every placement in the replicated state, for drain's choice of targets. */
  readonly placements: PlacementBook

  /**
   * @param dir - where migrated images are written (`<id>.img`)
   */
  constructor(
    private readonly node: DwcpNode,
    readonly dir: string,
    private readonly logger: JsonLogger,
  ) {
    mkdirSync(dir, { recursive: true })
    this.placements = new PlacementBook(node)
    this.#receiver = acceptMigrations(node, {
      dir,
      onCommitted: ({ workloadId, path, from }) => {
        this.#workloads.get(workloadId)?.close()
        this.#workloads.set(workloadId, FileWorkload.open({ id: workloadId, path }))
        this.logger.info({ workloadId, path, from }, 'workload migrated here')
      },
    })
  }

  /**
   * Hosts the image at `path` as workload `id` and places it on this node.
   *
   * @throws InvalidArgumentError for an unsafe id, a workload already hosted here, or a file that is not a
   *   whole number of 4 KiB pages
   */
  async register(id: string, path: string): Promise<FileWorkload> {
    if (!SAFE_ID.test(id))
      throw new InvalidArgumentError('id', 'must be 1–128 characters of letters, digits, ".", "_" or "-"')
    if (this.#workloads.has(id)) throw new InvalidArgumentError('id', `${id} is already hosted here`)
    const workload = FileWorkload.open({ id, path })
    try {
      await registerWorkload(this.node, workload)
    } catch (error) {
      workload.close()
      throw error
    }
    this.#workloads.set(id, workload)
    return workload
  }

  /** The workloads hosted here, by id. */
  get hosted(): ReadonlyMap<string, FileWorkload> {
    return this.#workloads
  }

  /** A workload moved away: closed and forgotten here. */
  release(id: string): void {
    this.#workloads.get(id)?.close()
    this.#workloads.delete(id)
  }

  /** Stops accepting migrations and closes every workload. */
  close(): void {
    this.#receiver.close()
    this.placements.close()
    for (const workload of this.#workloads.values()) workload.close()
    this.#workloads.clear()
  }
}
