import { type BaselineStore, bytesSource, type Codec, type Mode, throwIfAborted } from '@dwcp/core'
import type { DwcpNode } from '../node.js'
import { MIGRATION_METADATA_KEY } from './accept.js'
import { type FileWorkload, PAGE_BYTES } from './file-workload.js'
import { RecordWriter } from './page-frames.js'

/** Pages per chunk when round 1 travels compressed (256 KiB chunks). */
const PLAIN_CHUNK_PAGES = 64
/** Chunk size of the raw full round: large chunks keep the per-chunk overhead low on a fast path. */
const FULL_CHUNK_BYTES = 1024 * 1024

/** What one round did. */
export interface RoundStats {
  /** 1 for the full round, then 2, 3, …; the stop-and-copy round is the last. */
  round: number
  kind: 'full' | 'delta' | 'stop-and-copy'
  /** Pages sent. */
  pages: number
  /** Bytes those pages hold. */
  rawBytes: number
  /** Bytes that crossed the wire (transfer payloads). */
  wireBytes: number
  /** Wall time of the round, in milliseconds. */
  durationMs: number
  /** Part of it spent encoding, in milliseconds. */
  encodeMs: number
  /** Part of it spent in transfers (sending, the target applying), in milliseconds. */
  transferMs: number
  /** Bytes the transport read again to resend (chunks of lost or stalled streams); those pages are resent. */
  rereadBytes: number
}

/** Progress within a round. */
export interface RoundProgress {
  round: number
  pagesDone: number
  pagesTotal: number
  /** Wire bytes of this round so far. */
  wireBytes: number
}

/** Everything a round needs. */
export interface RoundContext {
  node: DwcpNode
  target: string
  migrationId: string
  workload: FileWorkload
  codec: Codec
  baselines: BaselineStore
  mode: Mode
  batchBytes: number
  signal: AbortSignal | undefined
  onProgress: (progress: RoundProgress) => void
}

function metadata(ctx: RoundContext, round: number, kind: string, batch = 0): Record<string, string> {
  return {
    [MIGRATION_METADATA_KEY]: ctx.migrationId,
    workload: ctx.workload.id,
    round: String(round),
    kind,
    batch: String(batch),
  }
}

/** Round 1, raw: the whole image as one transfer into the target's positional sink. */
export async function sendFullRaw(ctx: RoundContext): Promise<RoundStats> {
  const startedMs = performance.now()
  const { workload } = ctx
  const pagesTotal = workload.pageCount
  const readOnce = new Set<number>()
  let rereadBytes = 0
  await ctx.node.transfer(
    ctx.target,
    {
      sizeBytes: workload.sizeBytes,
      read: async (offsetBytes, lengthBytes) => {
        if (!readOnce.has(offsetBytes)) {
          readOnce.add(offsetBytes)
          return workload.readForSend(offsetBytes, lengthBytes)
        }
        // The transport resends a chunk of a lost or stalled stream by reading it again; the receiver keeps
        // whichever copy lands first, which may be the older one. Those pages go again in the next round, whole.
        workload.forgetSent(offsetBytes, lengthBytes)
        rereadBytes += lengthBytes
        return workload.read(offsetBytes, lengthBytes)
      },
    },
    {
      metadata: metadata(ctx, 1, 'full'),
      chunkBytes: FULL_CHUNK_BYTES,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      onProgress: (p) =>
        ctx.onProgress({
          round: 1,
          pagesDone: Math.floor(p.bytesAcked / PAGE_BYTES),
          pagesTotal,
          wireBytes: p.bytesAcked,
        }),
    },
  )
  const durationMs = performance.now() - startedMs
  return {
    round: 1,
    kind: 'full',
    pages: pagesTotal,
    rawBytes: workload.sizeBytes,
    wireBytes: workload.sizeBytes,
    durationMs,
    encodeMs: 0,
    transferMs: durationMs,
    rereadBytes,
  }
}

/**
 * Sends `pages` (ascending) as frames transfers of about `batchBytes` each, one at a time (the target applies
 * them in order). `plain` compresses runs of pages without baselines (round 1 on a slow path); otherwise each
 * page is a delta against the version the target holds.
 */
export async function sendPages(
  ctx: RoundContext,
  round: number,
  kind: RoundStats['kind'],
  pages: readonly number[],
  plain: boolean,
): Promise<RoundStats> {
  const startedMs = performance.now()
  const { workload } = ctx
  const writer = new RecordWriter(ctx.codec, ctx.baselines, ctx.mode)
  let encodeMs = 0
  let transferMs = 0
  let wireBytes = 0
  let batch = 0
  let done = 0
  const flush = async (): Promise<void> => {
    if (writer.bytes === 0) return
    const payload = writer.take()
    const t0 = performance.now()
    await ctx.node.transfer(ctx.target, bytesSource(payload), {
      metadata: metadata(ctx, round, 'frames', batch++),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    })
    transferMs += performance.now() - t0
    wireBytes += payload.byteLength
    ctx.onProgress({ round, pagesDone: done, pagesTotal: pages.length, wireBytes })
  }
  for (let i = 0; i < pages.length; ) {
    throwIfAborted(ctx.signal)
    const page = pages[i] as number
    const t0 = performance.now()
    if (plain) {
      // A run of consecutive pages, at most one chunk long.
      let run = 1
      while (run < PLAIN_CHUNK_PAGES && i + run < pages.length && pages[i + run] === page + run) run++
      await writer.addPlain(page, workload.readForSend(page * PAGE_BYTES, run * PAGE_BYTES))
      i += run
      done += run
    } else {
      // The kept version must be taken before the read: reading for sending drops it.
      const sentVersion = workload.sentVersion(page)
      await writer.addPage(page, workload.readForSend(page * PAGE_BYTES, PAGE_BYTES), sentVersion)
      i++
      done++
    }
    encodeMs += performance.now() - t0
    if (writer.bytes >= ctx.batchBytes) await flush()
  }
  await flush()
  return {
    round,
    kind,
    pages: pages.length,
    rawBytes: pages.length * PAGE_BYTES,
    wireBytes,
    durationMs: performance.now() - startedMs,
    encodeMs,
    transferMs,
    rereadBytes: 0,
  }
}
