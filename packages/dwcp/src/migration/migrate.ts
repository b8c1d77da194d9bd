import { randomBytes } from 'node:crypto'
import {
  DigestMismatchError,
  InvalidArgumentError,
  METRIC_NAMES,
  type Mode,
  throwIfAborted,
} from '@dwcp/core'
import type { DwcpNode } from '../node.js'
import { controlFor } from './control-channel.js'
import { type ConvergenceState, decideNextStep } from './convergence.js'
import { type FileWorkload, PAGE_BYTES } from './file-workload.js'
import { imageDigest } from './image-digest.js'
import { loadPageHash, PageDigests } from './page-digests.js'
import { pathCodec } from './page-frames.js'
import { codecForPath } from './path-codec.js'
import {
  decidePathTuning,
  PathTuner,
  type PathTuning,
  pathForecast,
  tunePath,
  withNodePacing,
} from './path-tuning.js'
import { claimPlacement, writePlacement } from './placement.js'
import { type RoundContext, type RoundStats, sendFullRaw, sendPages } from './round-sender.js'

/** Options of {@link migrate}. */
export interface MigrateOptions {
  node: DwcpNode
  workload: FileWorkload
  /** Node id of the target; it must be connected and run `acceptMigrations`. */
  target: string
  /** Cancels the migration; the source stays authoritative. */
  signal?: AbortSignal
  /** Longest acceptable stop-and-copy pause, in milliseconds. @default 300 */
  downtimeBudgetMs?: number
  /** Most rounds, the stop-and-copy round included. @default 30 */
  maxRounds?: number
  /** Whether the writer may be throttled (halved each time, down to 1/16) when rounds stop shrinking. @default true */
  allowThrottle?: boolean
  /** How dirty pages are found: the workload's recorded writes, or a page-hash scan (external writers). @default 'writes' */
  tracking?: 'writes' | 'scan'
  /** Payload bytes per frames transfer. @default 8 MiB */
  batchBytes?: number
  /** Label of `dwcp_placement_attempts_total` / `dwcp_placement_success_total`. @default 'live-migration' */
  strategy?: string
  /** Called as the migration progresses. */
  onProgress?: (progress: MigrationProgress) => void
  /**
   * Pauses writers the workload does not see (the VM itself, with `tracking: 'scan'`) for the stop-and-copy;
   * the workload's own writers are paused in any case.
   */
  pauseWriters?: () => void | Promise<void>
  /** Resumes them after a failed or cancelled migration. */
  resumeWriters?: () => void | Promise<void>
  /**
   * Whether the path's forecast tunes the migration (see `path-tuning.ts`): the codec, the session's pacing
   * rate and its stream count. With `false` only the path's class picks the codec, as before. @default true
   */
  pathTuning?: boolean
  /**
   * How the two images are compared before the switch, while the workload is paused. `pages`: the hash of every
   * page as the source sent it against the hash of every page as the target wrote it, kept as the rounds went,
   * so the pause only hashes two small tables; it catches anything lost or altered between the two files, and
   * relies on the dirty tracking for writes (exact for `FileWorkload.write`; `tracking: 'scan'` for others).
   * `image`: SHA-256 of both whole images, read again in the pause (about 0.6 s per GiB on each side), which also
   * catches writes the tracking missed. @default 'pages'
   */
  verification?: 'pages' | 'image'
}

/** Progress of a migration. */
export interface MigrationProgress {
  phase: 'pre-copy' | 'stop-and-copy' | 'verify' | 'switch'
  round: number
  pagesDone: number
  pagesTotal: number
  /** Wire bytes of the whole migration so far. */
  wireBytes: number
  /** Pages dirty on the source right now. */
  dirtyPages: number
  /** Writer throttle in bytes per second, when throttled. */
  throttleBytesPerSecond?: number
}

/** What a completed migration did. */
export interface MigrationSummary {
  workloadId: string
  from: string
  to: string
  /** Rounds, the full round and the stop-and-copy round included. */
  rounds: number
  /** Bytes that crossed the wire, every round. */
  wireBytes: number
  /** Size of the image. */
  imageBytes: number
  /**
   * The writer's whole pause, in milliseconds: the stop-and-copy, the comparison of both images and the
   * placement switch; the workload runs nowhere during it.
   */
  downtimeMs: number
  /** The part of the pause spent sending the last pages, until the target applied them, in milliseconds. */
  stopAndCopyMs: number
  totalMs: number
  /** Image bits per second of the whole migration. */
  throughputBps: number
  /** The last path forecast used for convergence, in bits per second (`null` when the predictor had no samples). */
  predictedBps: number | null
  /** Measured wire rate while transferring, in bits per second. */
  actualBps: number
  /** The node's mode, and the path class that chose the codec. */
  mode: Mode
  pathClass: 'datacenter' | 'internet'
  /** Consensus index the new placement is visible at (`null` without consensus). */
  consensusIndex: number | null
  /** What both images had at the switch: `pages-xxh64-sha256:…` (see `verification`) or `sha256:…` of the image. */
  digest: string
  /** Why pre-copy stopped. */
  convergedBy: ConvergenceState['reason']
  /** The writer's rate limit at the stop-and-copy, bytes per second (`null`: never throttled). */
  throttleBytesPerSecond: number | null
  perRound: RoundStats[]
  /** What the path's forecast set, as last applied (see `path-tuning.ts`). */
  tuning: MigrationTuningSummary
}

/** The path tuning a migration used. */
export interface MigrationTuningSummary {
  /** Round 1 raw into the positional sink, or zstd frames. */
  fullRound: 'raw' | 'frames'
  /** zstd level of the delta codec. */
  level: number
  /** Pacing rate this migration set on the session, bits per second (0: it set none). */
  pacingRateBps: number
  /** The session's stream count after tuning (`null` when the session was gone). */
  streams: number | null
  /** What the last tuning was decided from. */
  forecast: 'prediction' | 'sample' | 'round' | 'none'
}

const migrating = new WeakSet<FileWorkload>()

/** Most times the writer's rate is halved when rounds stop shrinking (down to 1/16). */
const MAX_THROTTLE_STEPS = 4

/** Delta rounds of at most this many pages (a few MiB of records) travel as messages rather than transfers. */
const MESSAGE_ROUND_MAX_PAGES = 32_768

/**
 * Live-migrates `workload` to `target` by iterative pre-copy: round 1 sends the whole image, later rounds send
 * only the pages changed since, as patches of the version the target holds (the ranges written since), until
 * the remainder is predicted to fit the downtime budget (or rounds stop shrinking, the writer being throttled
 * step by step when allowed); then the writer is paused, the rest sent, both images compared over channel
 * `migration` (see `verification`), the placement switched to the target through `node.state` and the target's
 * image committed: that whole pause is the downtime. The writer stays paused after success: the workload now
 * lives on the target.
 *
 * Cancellation or any failure (target gone, digest mismatch, placement write refused) leaves the source
 * authoritative: the placement is not changed, the writer is resumed and un-throttled, and the target is told
 * to discard its partial image (which it also does by itself when the session closes).
 */
export async function migrate(options: MigrateOptions): Promise<MigrationSummary> {
  const { node, workload, target } = options
  if (target === node.nodeId)
    throw new InvalidArgumentError('target', 'a workload cannot migrate to its own host')
  if (migrating.has(workload))
    throw new InvalidArgumentError('workload', `${workload.id} is already migrating`)
  migrating.add(workload)
  const control = controlFor(node)
  const migrationId = randomBytes(8).toString('hex')
  const startedMs = performance.now()
  const tuneEnabled = options.pathTuning ?? true
  let tuning: PathTuning = tuneEnabled
    ? tunePath(node, target)
    : { codec: codecForPath(node, target), pacingRateBps: 0, streams: undefined, forecast: undefined }
  const choice = tuning.codec
  const tuner = new PathTuner(tuneEnabled ? node.session(target) : undefined)
  // Later rounds keep the codec (the target decodes with what `begin` named) and refresh pacing and streams as
  // the forecast improves: the node's predictor, or this migration's own rounds.
  const retune = (): void => {
    if (!tuneEnabled) return
    tuning = withNodePacing(node, decidePathTuning(choice, pathForecast(node, target, perRound)))
    tuner.apply(tuning)
  }
  let predictedBps = predicted(node, target)
  const perRound: RoundStats[] = []
  let wireTotal = 0
  let round = 1
  let phase: MigrationProgress['phase'] = 'pre-copy'
  const report = (p: { round: number; pagesDone: number; pagesTotal: number; wireBytes: number }): void =>
    options.onProgress?.({
      phase,
      round: p.round,
      pagesDone: p.pagesDone,
      pagesTotal: p.pagesTotal,
      wireBytes: wireTotal + p.wireBytes,
      dirtyPages: workload.dirtyCount,
      ...(workload.throttleBytesPerSecond ? { throttleBytesPerSecond: workload.throttleBytesPerSecond } : {}),
    })
  const ctx: RoundContext = {
    node,
    target,
    migrationId,
    workload,
    plainCodec: pathCodec(node, target),
    level: choice.level,
    mode: choice.pathClass,
    batchBytes: options.batchBytes ?? 8 * 1024 * 1024,
    signal: options.signal,
    onProgress: report,
  }
  const record = (stats: RoundStats): RoundStats => {
    perRound.push(stats)
    wireTotal += stats.wireBytes
    return stats
  }
  const signalOpt = options.signal ? { signal: options.signal } : {}
  const strategy = { strategy: options.strategy ?? 'live-migration' }
  node.metrics?.counter(METRIC_NAMES.placementAttempts).inc(strategy)
  let pausedAtMs: number | undefined
  let lowestThrottle: number | null = null
  const verification = options.verification ?? 'pages'
  const sentPages = new PageDigests(workload.pageCount, await loadPageHash())
  try {
    await claimPlacement(node, workload, signalOpt)
    workload.trackSentPages(sentPages)
    tuner.apply(tuning)
    workload.resetTracking(true)
    if (options.tracking === 'scan') workload.trackHashes()
    await control.request(
      target,
      {
        type: 'begin',
        migrationId,
        workloadId: workload.id,
        sizeBytes: workload.sizeBytes,
        level: choice.level,
        pathClass: choice.pathClass,
      },
      signalOpt,
    )
    const allPages = Array.from({ length: workload.pageCount }, (_, i) => i)
    let last = record(
      choice.fullRound === 'raw' ? await sendFullRaw(ctx) : await sendPages(ctx, 1, 'full', allPages, true),
    )
    const state: ConvergenceState = { previousDirty: Number.POSITIVE_INFINITY, stalls: 0, reason: 'budget' }
    let writtenAtMs = performance.now()
    let writtenBytes = workload.writtenBytes
    let throttleSteps = 0
    for (;;) {
      throwIfAborted(options.signal)
      if (options.tracking === 'scan') workload.scanDirty()
      const nowMs = performance.now()
      const writeRate = ((workload.writtenBytes - writtenBytes) / Math.max(1, nowMs - writtenAtMs)) * 1000
      writtenAtMs = nowMs
      writtenBytes = workload.writtenBytes
      // The forecast improves as the node samples the path during the rounds: use the latest.
      predictedBps = predicted(node, target) ?? predictedBps
      const step = decideNextStep(state, {
        dirtyPages: workload.dirtyCount,
        last,
        round,
        maxRounds: options.maxRounds ?? 30,
        downtimeBudgetMs: options.downtimeBudgetMs ?? 300,
        predictedBytesPerSecond: predictedBps === null ? undefined : predictedBps / 8,
        rttMs: node.session(target)?.sample().rttMs,
        canThrottle: (options.allowThrottle ?? true) && throttleSteps < MAX_THROTTLE_STEPS,
      })
      if (step === 'stop') break
      if (step === 'throttle') {
        // Auto-converge, as QEMU does: each time rounds stop shrinking the writer's rate is halved again.
        throttleSteps++
        workload.throttle(Math.max(PAGE_BYTES, (workload.throttleBytesPerSecond ?? writeRate) / 2))
        lowestThrottle = workload.throttleBytesPerSecond ?? null
      }
      round++
      retune()
      const dirty = workload.dirtyPages()
      // A small round goes as messages: one round trip instead of a transfer's two, and on a long path the
      // rounds near convergence are mostly that wait.
      const via = dirty.length <= MESSAGE_ROUND_MAX_PAGES ? 'messages' : 'transfers'
      last = record(await sendPages(ctx, round, 'delta', dirty, false, via))
    }
    // Stop-and-copy: from here until the switch the source does not change.
    phase = 'stop-and-copy'
    retune()
    workload.pause()
    pausedAtMs = performance.now()
    await options.pauseWriters?.()
    if (options.tracking === 'scan') workload.scanDirty()
    round++
    record(await sendPages(ctx, round, 'stop-and-copy', workload.dirtyPages(), false, 'messages'))
    const stopAndCopyMs = performance.now() - pausedAtMs
    phase = 'verify'
    report({ round, pagesDone: 0, pagesTotal: 0, wireBytes: 0 })
    // Both sides hash at once: the request goes first, then this side hashes while the target does.
    const verifying = control.request(target, { type: 'verify', migrationId, scope: verification }, signalOpt)
    verifying.catch(() => {}) // awaited below; a failure meanwhile must not go unhandled
    const digest =
      verification === 'image'
        ? imageDigest(workload.sizeBytes, (o, l) => workload.read(o, l))
        : sentPages.digest()
    const reply = (await verifying) as { digest?: string }
    if (reply?.digest !== digest) throw new DigestMismatchError(migrationId, digest, String(reply?.digest))
    phase = 'switch'
    throwIfAborted(options.signal)
    const index = await writePlacement(
      node,
      workload.id,
      { host: target, sizeBytes: workload.sizeBytes, updatedAt: Date.now() },
      signalOpt,
    )
    node.metrics?.counter(METRIC_NAMES.placementSuccess).inc(strategy)
    // The placement names the target now: the commit only moves its file into place.
    await control.request(target, { type: 'commit', migrationId }).catch(() => {})
    const endMs = performance.now()
    const transferMs = perRound.reduce((sum, r) => sum + r.transferMs, 0)
    return {
      workloadId: workload.id,
      from: node.nodeId,
      to: target,
      rounds: perRound.length,
      wireBytes: wireTotal,
      imageBytes: workload.sizeBytes,
      downtimeMs: endMs - pausedAtMs,
      stopAndCopyMs,
      totalMs: endMs - startedMs,
      throughputBps: (workload.sizeBytes * 8 * 1000) / Math.max(1, endMs - startedMs),
      predictedBps,
      actualBps: (wireTotal * 8 * 1000) / Math.max(1, transferMs),
      mode: node.mode,
      pathClass: choice.pathClass,
      consensusIndex: index ?? null,
      digest,
      convergedBy: state.reason,
      throttleBytesPerSecond: lowestThrottle,
      perRound,
      tuning: {
        fullRound: choice.fullRound,
        level: choice.level,
        pacingRateBps: tuner.applied.pacingRateBps,
        streams: tuner.applied.streams,
        forecast: tuning.forecast?.source ?? 'none',
      },
    }
  } catch (error) {
    workload.throttle(undefined)
    workload.resume()
    if (pausedAtMs !== undefined) await options.resumeWriters?.()
    // Best effort: the target also discards by itself when the session closes.
    if (node.session(target))
      await control.request(target, { type: 'abort', migrationId }, { timeoutMs: 2000 }).catch(() => {})
    throw error
  } finally {
    workload.trackSentPages(undefined)
    tuner.release()
    migrating.delete(workload)
  }
}

function predicted(node: DwcpNode, target: string): number | null {
  const bps = node.tryPredict(target)?.bandwidthBps ?? 0
  return bps > 0 ? bps : null
}
