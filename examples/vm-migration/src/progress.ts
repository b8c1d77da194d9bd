import type { MigrationProgress } from 'dwcp'

/** Where the live progress line goes (stderr by default). */
export interface ProgressOutput {
  isTTY?: boolean
  write(text: string): unknown
}

/**
 * A one-line progress bar: phase, round, percent of the round, MB/s of wire bytes since the start, and the
 * pages dirty on the source. Redrawn at most every 100 ms; on a non-terminal only phase and round changes print.
 */
export function progressBar(output: ProgressOutput, nowMs: () => number = () => performance.now()) {
  const startedMs = nowMs()
  let lastDrawMs = 0
  let lastKey = ''
  return {
    update(p: MigrationProgress): void {
      const tMs = nowMs()
      const key = `${p.phase}/${p.round}`
      if (output.isTTY ? tMs - lastDrawMs < 100 && key === lastKey : key === lastKey) return
      lastDrawMs = tMs
      lastKey = key
      const percent = p.pagesTotal > 0 ? Math.min(100, (100 * p.pagesDone) / p.pagesTotal) : 100
      const filled = Math.round(percent / 5)
      const mbps = p.wireBytes / 1e6 / Math.max(0.001, (tMs - startedMs) / 1000)
      const throttle = p.throttleBytesPerSecond
        ? ` writer throttled to ${(p.throttleBytesPerSecond / 1e6).toFixed(1)} MB/s`
        : ''
      const line =
        `${p.phase.padEnd(13)} round ${String(p.round).padStart(2)} [${'#'.repeat(filled)}${'.'.repeat(20 - filled)}] ` +
        `${percent.toFixed(0).padStart(3)}%  ${mbps.toFixed(0).padStart(5)} MB/s  dirty ${p.dirtyPages} pages${throttle}`
      output.write(output.isTTY ? `\r${line}\u001b[K` : `${line}\n`)
    },
    done(): void {
      if (output.isTTY) output.write('\n')
    },
  }
}
