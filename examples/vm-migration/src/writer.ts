import type { FileWorkload } from 'dwcp'
import { xorshift } from './image.js'

/** Interval between the writer's bursts, in milliseconds. */
const TICK_MS = 10

/**
 * A guest-like writer: it changes 8–64 bytes in random pages, `dirtyPercentPerSecond` % of the image's pages
 * per second, in bursts every 10 ms. It stops by itself once the workload is paused
 * for the stop-and-copy and never resumed (the workload has moved) or closed.
 */
export function startWriter(workload: FileWorkload, dirtyPercentPerSecond: number, seed = 7) {
  const next = xorshift(seed)
  let running = true
  let writes = 0
  const pagesPerSecond = (workload.pageCount * dirtyPercentPerSecond) / 100
  const loop = (async () => {
    let lastMs = performance.now()
    let owed = 0
    while (running) {
      // Timers run late while the process is busy migrating: catch up on the pages owed (at most one second's
      // worth), so the dirty rate is the one asked for, not what the event loop happened to allow.
      const nowMs = performance.now()
      owed = Math.min(pagesPerSecond, owed + (pagesPerSecond * (nowMs - lastMs)) / 1000)
      lastMs = nowMs
      for (; owed >= 1 && running; owed--) {
        const length = 8 + (next() % 57)
        const bytes = new Uint8Array(length)
        for (let j = 0; j < length; j++) bytes[j] = next() & 0xff
        const page = next() % workload.pageCount
        const offset = page * 4096 + (next() % (4096 - length))
        try {
          await workload.write(offset, bytes)
        } catch {
          return // closed
        }
        writes++
      }
      await new Promise((r) => setTimeout(r, TICK_MS))
    }
  })()
  return {
    pagesPerSecond: Math.round((workload.pageCount * dirtyPercentPerSecond) / 100),
    writes: () => writes,
    /** Stops writing; waits for the loop unless the workload holds it paused. */
    async stop(): Promise<void> {
      running = false
      if (!workload.paused) await loop
    },
  }
}
