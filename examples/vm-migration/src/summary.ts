import type { MigrationSummary } from 'dwcp'

const MiB = 1024 * 1024

function bytes(n: number): string {
  return n >= MiB ? `${(n / MiB).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`
}
function rate(bps: number | null): string {
  if (bps === null) return 'n/a (no path samples yet)'
  return bps >= 1e9 ? `${(bps / 1e9).toFixed(2)} Gbit/s` : `${(bps / 1e6).toFixed(1)} Mbit/s`
}
function msText(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(1)} ms`
}

/** The summary table of a migration, one line per row, plus one row per round. */
export function formatSummary(
  s: MigrationSummary,
  extra: { writes: number; placedOn: string | undefined; commitIndex: unknown; targetDigestMatches: boolean },
): string[] {
  const rows: Array<[string, string]> = [
    ['workload', `${s.workloadId}: ${s.from} → ${s.to}`],
    ['image size', bytes(s.imageBytes)],
    [
      'wire bytes',
      `${bytes(s.wireBytes)} (${((100 * s.wireBytes) / s.imageBytes).toFixed(1)} % of the image)`,
    ],
    ['rounds', `${s.rounds} (stopped pre-copy: ${s.convergedBy})`],
    [
      'downtime',
      `${msText(s.downtimeMs)} paused in all (stop-and-copy ${msText(s.stopAndCopyMs)}, then verify + switch + commit)`,
    ],
    ['total time', msText(s.totalMs)],
    ['throughput', `${rate(s.throughputBps)} of image`],
    ['bandwidth', `predicted ${rate(s.predictedBps)}, measured ${rate(s.actualBps)}`],
    ['mode', `${s.mode} (path class ${s.pathClass})`],
    [
      'consensus',
      `placement at index ${s.consensusIndex ?? 'n/a'}, leader commit index ${String(extra.commitIndex ?? 'n/a')}`,
    ],
    ['placement', `placement/${s.workloadId} → ${extra.placedOn ?? '?'}`],
    [
      'digest',
      `${s.digest.slice(0, 23)}… ${extra.targetDigestMatches ? 'matches on the target' : 'MISMATCH'}`,
    ],
    ['writer', `${extra.writes} writes during the migration`],
    [
      'resent',
      `${bytes(s.perRound.reduce((n, r) => n + r.rereadBytes, 0))} read again by the transport for resending`,
    ],
  ]
  const width = Math.max(...rows.map(([k]) => k.length))
  const lines = ['', 'live migration summary', ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`), '']
  lines.push('  round  kind           pages     raw         wire        time')
  for (const r of s.perRound)
    lines.push(
      `  ${String(r.round).padStart(5)}  ${r.kind.padEnd(13)}  ${String(r.pages).padStart(7)}  ${bytes(r.rawBytes).padStart(10)}  ${bytes(r.wireBytes).padStart(10)}  ${msText(r.durationMs).padStart(9)}`,
    )
  return lines
}
