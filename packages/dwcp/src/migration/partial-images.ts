import { fdatasync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { DwcpNode } from '../node.js'
import { readPlacement } from './placement.js'

/** Suffix of the file that marks a partial image as verified by its source (it holds the digest compared). */
export const VERIFIED_SUFFIX = '.verified'
/** A partial image's file name: `<workloadId>.partial-<migrationId>`. */
const PARTIAL = /^(.+)\.partial-([A-Za-z0-9._-]+)$/

/** Flushes a partial image's data to disk (off the event loop). */
export function flushImage(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fdatasync(fd, (error) => (error ? reject(error) : resolve())))
}

/**
 * Records that the source verified the partial image at `partialPath` against `digest`: written (and synced)
 * after the image itself is on disk, so that a target restarted after a crash knows which copies it may commit.
 */
export function markVerified(partialPath: string, digest: string): void {
  writeFileSync(`${partialPath}${VERIFIED_SUFFIX}`, `${digest}\n`, { flush: true })
}

/** Removes a partial image and its mark. */
export function removePartial(partialPath: string): void {
  rmSync(partialPath, { force: true })
  rmSync(`${partialPath}${VERIFIED_SUFFIX}`, { force: true })
}

/** Moves a partial image into place as `<workloadId>.img` and drops its mark; returns the final path. */
export function commitPartial(partialPath: string, finalPath: string): string {
  renameSync(partialPath, finalPath)
  rmSync(`${partialPath}${VERIFIED_SUFFIX}`, { force: true })
  return finalPath
}

/** How often a verified copy waiting for its placement asks for it, in milliseconds. */
const PLACEMENT_POLL_MS = 500

/**
 * Decides the fate of a verified copy whose source is gone: commits it as soon as the workload's placement names
 * this node; removes it once `graceMs` have passed with the placement known to name another host (or none). An
 * unknown placement (no leader reachable) decides nothing: the copy is never removed blind. Returns a function
 * that stops waiting, leaving the copy as it is.
 */
export function awaitPlacementDecision(options: {
  node: DwcpNode
  workloadId: string
  graceMs: number
  commit: () => void
  remove: () => void
}): () => void {
  const { node, workloadId } = options
  const deadlineMs = Date.now() + options.graceMs
  let stopped = false
  let timer: ReturnType<typeof setTimeout> | undefined
  const check = async (): Promise<void> => {
    let host: string | undefined
    let known = true
    try {
      host = (await readPlacement(node, workloadId))?.host
    } catch {
      known = false
    }
    if (stopped) return
    if (known && host === node.nodeId) {
      stopped = true
      options.commit()
    } else if (known && Date.now() >= deadlineMs) {
      stopped = true
      options.remove()
    } else {
      timer = setTimeout(() => void check(), PLACEMENT_POLL_MS)
      timer.unref?.()
    }
  }
  void check()
  return () => {
    stopped = true
    if (timer) clearTimeout(timer)
  }
}

/**
 * What a restarted target does with the partial images a crash left in `dir`: one its source never verified is
 * worthless and removed at once; a verified one waits for its placement ({@link awaitPlacementDecision}).
 * Returns a function that stops waiting (what is still waiting stays on disk for the next start).
 */
export function recoverPartialImages(
  node: DwcpNode,
  dir: string,
  graceMs: number,
  onCommitted: (info: { workloadId: string; path: string }) => void,
): () => void {
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return () => {}
  }
  const stops: Array<() => void> = []
  for (const name of names) {
    if (name.endsWith(VERIFIED_SUFFIX)) {
      // A mark whose image is gone (committed or removed just before the crash) means nothing.
      if (!names.includes(name.slice(0, -VERIFIED_SUFFIX.length))) rmSync(join(dir, name), { force: true })
      continue
    }
    const match = PARTIAL.exec(name)
    if (!match) continue
    const workloadId = match[1] as string
    const partialPath = join(dir, name)
    if (!names.includes(`${name}${VERIFIED_SUFFIX}`)) {
      removePartial(partialPath)
      continue
    }
    stops.push(
      awaitPlacementDecision({
        node,
        workloadId,
        graceMs,
        commit: () =>
          onCommitted({ workloadId, path: commitPartial(partialPath, join(dir, `${workloadId}.img`)) }),
        remove: () => removePartial(partialPath),
      }),
    )
  }
  return () => {
    for (const stop of stops) stop()
  }
}
