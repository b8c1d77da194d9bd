import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  acceptMigrations,
  FileWorkload,
  type MigrationReceiver,
  migrate,
  PAGE_BYTES,
  registerWorkload,
} from '../../index.js'
import type { ActivityTally } from './activity-tally.js'
import type { OpsNode } from './ops-nodes.js'

/** The workload that moves back and forth. */
const WORKLOAD_ID = 'vm-ops'
/** Its image: small enough that a migration takes well under a second here, large enough for several chunks. */
const IMAGE_BYTES = 4 * 1024 * 1024
/** Pause between two migrations. */
const PAUSE_BETWEEN_MIGRATIONS_MS = 200
/** Longest wait for the target to report the image committed after `migrate` returned. */
const COMMIT_WAIT_MS = 5000

/** A workload migrating between two nodes until stopped. */
export interface MigrationShuttle {
  /** Cancels the migration under way (the source stays authoritative), then closes receivers and workload. */
  stop(): Promise<void>
}

/**
 * Makes every member of `cluster` accept migrations (a follower forwards placement writes to the leader, which
 * serves them only when it accepts migrations), registers a workload on the first member (an image of mixed
 * zero, text-like and random pages, written through the workload as a guest would) and live-migrates it with
 * `migrate` to the second, back to the first, and so on until stopped, with a guest writing to it during each
 * pre-copy. Each migration is the node's own: its rounds through the node's codec, its placement write
 * through Raft, its `dwcp_placement_*` counts.
 */
export async function startMigrations(
  cluster: readonly [OpsNode, OpsNode, ...OpsNode[]],
  tally: ActivityTally,
): Promise<MigrationShuttle> {
  const [a, b] = cluster
  const committed = new Map<string, (path: string) => void>()
  const receivers: MigrationReceiver[] = cluster.map((member) =>
    acceptMigrations(member.node, {
      dir: imagesOf(member),
      onCommitted: ({ path }) => committed.get(member.id)?.(path),
    }),
  )
  let workload = FileWorkload.create({
    id: WORKLOAD_ID,
    path: join(imagesOf(a), `${WORKLOAD_ID}.img`),
    sizeBytes: IMAGE_BYTES,
  })
  await fillImage(workload)
  await registerWorkload(a.node, workload)

  const controller = new AbortController()
  const shuttle = async (): Promise<void> => {
    let [source, target] = [a, b]
    while (!controller.signal.aborted) {
      const arrived = new Promise<string | undefined>((resolve) => {
        committed.set(target.id, resolve)
        setTimeout(() => resolve(undefined), COMMIT_WAIT_MS).unref()
      })
      const guest = guestWriter(workload)
      const moved = await tally.run('migration', () =>
        migrate({ node: source.node, workload, target: target.id, signal: controller.signal }),
      )
      guest.stop()
      if (!moved) {
        // The source stayed authoritative and its guest was resumed: try again from the same side.
        await guest.done
        await sleep(PAUSE_BETWEEN_MIGRATIONS_MS)
        continue
      }
      // The source's copy stays paused after a migration; closing it releases the guest's last write.
      workload.close()
      await guest.done
      const path = await arrived
      if (path === undefined) {
        tally.fail('migration', new Error(`${target.id} never committed ${WORKLOAD_ID}`))
        return
      }
      workload = FileWorkload.open({ id: WORKLOAD_ID, path })
      ;[source, target] = [target, source]
      await sleep(PAUSE_BETWEEN_MIGRATIONS_MS)
    }
  }
  const running = shuttle()
  return {
    async stop() {
      controller.abort(new Error('the ops test is over'))
      await running
      for (const receiver of receivers) receiver.close()
      workload.close()
    },
  }
}

function imagesOf(member: OpsNode): string {
  return join(member.dir, 'images')
}

/** Fills the image page by page: 40 % zero pages, 40 % text-like, 20 % random, the same on every run. */
async function fillImage(workload: FileWorkload): Promise<void> {
  const random = mulberry32(1)
  const page = new Uint8Array(PAGE_BYTES)
  for (let index = 0; index < workload.pageCount; index++) {
    const kind = random()
    if (kind < 0.4) continue // the image starts as zeros
    for (let i = 0; i < PAGE_BYTES; i++)
      page[i] = kind < 0.8 ? 97 + ((i * 7 + index) % 26) : Math.floor(random() * 256)
    await workload.write(index * PAGE_BYTES, page)
  }
}

/**
 * A guest changing 16 bytes of a random page every 2 ms, so a migration has dirty pages to send after its
 * first round. `stop()` ends it at its next write; `done` settles once it has (a write held by a paused
 * workload settles when the workload is resumed or closed).
 */
function guestWriter(workload: FileWorkload): { stop: () => void; done: Promise<void> } {
  const random = mulberry32(7)
  let running = true
  const done = (async () => {
    while (running) {
      const bytes = new Uint8Array(16).map(() => Math.floor(random() * 256))
      const offset = Math.floor(random() * (workload.sizeBytes - bytes.length))
      // A closed workload refuses the write: the guest has moved to the target.
      if (
        !(await workload.write(offset, bytes).then(
          () => true,
          () => false,
        ))
      )
        return
      await sleep(2)
    }
  })()
  return {
    stop: () => {
      running = false
    },
    done,
  }
}

/** A small seeded PRNG, so the image and the guest's writes are the same on every run. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
