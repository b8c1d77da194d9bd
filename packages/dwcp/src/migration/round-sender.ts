import { bytesSource, type Codec, METRIC_NAMES, type Mode, throwIfAborted } from '@dwcp/core'
import type { DwcpNode } from '../node.js'
import { MIGRATION_METADATA_KEY } from './accept.js'
import { controlFor } from './control-channel.js'
import { type FileWorkload, PAGE_BYTES } from './file-workload.js'
import { PLAIN_RUN_MAX_PAGES, RecordWriter } from './page-frames.js'
import { spanEnd } from './page-spans.js'
import { encodeRecordsMessage, RECORDS_CHANNEL } from './records-channel.js'

/** Frames transfers of one round in flight at once. */
const MAX_BATCHES_IN_FLIGHT = 4
/**
 * Most records in one batch: a batch of deltas is small on the wire but the target applies it before
 * confirming, so batches of many thousands of pages would leave the pipeline waiting on the target.
 */
const MAX_BATCH_RECORDS = 16_384
/** Longest stretch of encoding before the sender yields to the event loop, in milliseconds. */
const ENCODE_SLICE_MS = 5
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
  /** Part of it with a transfer in flight (sending, the target applying), in milliseconds. */
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
  /** Codec of plain runs (round 1 on an internet path). */
  plainCodec: Codec
  /** zstd level of pages sent whole or as `zstd-delta`. */
  level: number
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

/**
 * Round 1, whole: the image as one transfer into the target's positional sink, each chunk encoded by the node's
 * codec for the path (zero chunks as a header, lz4 on a datacenter path).
 */
export async function sendFullRaw(ctx: RoundContext): Promise<RoundStats> {
  const startedMs = performance.now()
  const { workload } = ctx
  const pagesTotal = workload.pageCount
  const readOnce = new Set<number>()
  let rereadBytes = 0
  const { wireBytes } = await ctx.node.transfer(
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
    wireBytes,
    durationMs,
    encodeMs: 0,
    transferMs: durationMs,
    rereadBytes,
  }
}

/**
 * Sends `pages` (ascending) as frames transfers of about `batchBytes` each, up to {@link MAX_BATCHES_IN_FLIGHT}
 * at a time while the next batch is encoded (on a long path one transfer at a time leaves the link idle for
 * a round trip per batch). The records of a round are independent, so the target may apply them in any order.
 * `plain` compresses runs of pages as one chunk (round 1 on a slow path); otherwise each page is a patch of the
 * ranges written since its last send, when the workload logged them, or whole (see {@link addPageSpan}).
 */
export async function sendPages(
  ctx: RoundContext,
  round: number,
  kind: RoundStats['kind'],
  pages: readonly number[],
  plain: boolean,
  via: 'transfers' | 'messages' = 'transfers',
): Promise<RoundStats> {
  if (via === 'messages') return sendPagesAsMessages(ctx, round, kind, pages)
  const startedMs = performance.now()
  const { workload } = ctx
  const writer = new RecordWriter(ctx.plainCodec, ctx.level, ctx.mode)
  // Cancels the other batches in flight when one fails, as well as on the caller's signal.
  const batches = new AbortController()
  const onAbort = (): void => batches.abort(ctx.signal?.reason)
  ctx.signal?.addEventListener('abort', onAbort, { once: true })
  const inFlight = new Set<Promise<void>>()
  let failure: { error: unknown } | undefined
  let encodeMs = 0
  let wireBytes = 0
  let batch = 0
  let done = 0
  let transferStartedMs: number | undefined
  let transferMs = 0
  const flush = (): void => {
    if (writer.bytes === 0) return
    const payload = writer.take()
    const pagesDone = done
    transferStartedMs ??= performance.now()
    const sending = ctx.node
      .transfer(ctx.target, bytesSource(payload), {
        metadata: metadata(ctx, round, 'frames', batch++),
        signal: batches.signal,
        // Plain runs are the node codec's frames already; delta records (patches, page frames) go through it.
        encoded: plain,
      })
      .then(
        (result) => {
          wireBytes += result.wireBytes
          ctx.onProgress({ round, pagesDone, pagesTotal: pages.length, wireBytes })
        },
        (error: unknown) => {
          failure ??= { error }
          batches.abort(error)
        },
      )
      .finally(() => {
        inFlight.delete(sending)
        if (inFlight.size === 0 && transferStartedMs !== undefined) {
          transferMs += performance.now() - transferStartedMs
          transferStartedMs = undefined
        }
      })
    inFlight.add(sending)
  }
  try {
    let sliceStartedMs = performance.now()
    for (let i = 0; i < pages.length; ) {
      throwIfAborted(ctx.signal)
      if (failure) throw failure.error
      const page = pages[i] as number
      const t0 = performance.now()
      if (plain) {
        // A run of consecutive pages, at most one chunk long.
        let run = 1
        while (run < PLAIN_RUN_MAX_PAGES && i + run < pages.length && pages[i + run] === page + run) run++
        await writer.addPlain(page, workload.readForSend(page * PAGE_BYTES, run * PAGE_BYTES))
        i += run
        done += run
      } else {
        const end = addPageSpan(writer, workload, pages, i)
        done += end - i
        i = end
      }
      const t1 = performance.now()
      encodeMs += t1 - t0
      if (writer.bytes >= ctx.batchBytes || writer.records >= MAX_BATCH_RECORDS) {
        flush()
        while (inFlight.size >= MAX_BATCHES_IN_FLIGHT) await Promise.race(inFlight)
        sliceStartedMs = performance.now()
      } else if (t1 - sliceStartedMs >= ENCODE_SLICE_MS) {
        // Let the transport run: its acknowledgements and the chunks of the batches in flight wait for the
        // event loop, which encoding would otherwise hold for the whole round.
        await new Promise<void>((resolve) => setImmediate(resolve))
        sliceStartedMs = performance.now()
      }
    }
    flush()
    while (inFlight.size > 0) await Promise.race(inFlight)
    if (failure) throw failure.error
  } catch (error) {
    batches.abort(error)
    await Promise.allSettled(inFlight)
    throw error
  } finally {
    ctx.signal?.removeEventListener('abort', onAbort)
  }
  if (!plain) recordDeltaHitRate(ctx, writer)
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

/**
 * Sets `dwcp_hde_delta_hit_rate` to the share of a delta round's pages that went as a delta against the version
 * the target holds (a patch of the ranges written since) rather than whole.
 */
function recordDeltaHitRate(ctx: RoundContext, writer: RecordWriter): void {
  const { patches, wholePages } = writer.pageCounts
  if (patches + wholePages === 0) return
  ctx.node.metrics?.gauge(METRIC_NAMES.hdeDeltaHitRate).set(patches / (patches + wholePages))
}

/**
 * Sends `pages` as records messages on channel `migration-records`, then asks the target to confirm it applied
 * them (`applied`, on the control channel of the same ordered stream): one round trip in all, for small delta
 * rounds and the stop-and-copy round, whose time is the workload's downtime. Pages go as in {@link sendPages}.
 */
async function sendPagesAsMessages(
  ctx: RoundContext,
  round: number,
  kind: RoundStats['kind'],
  pages: readonly number[],
): Promise<RoundStats> {
  const startedMs = performance.now()
  const { workload } = ctx
  const writer = new RecordWriter(ctx.plainCodec, ctx.level, ctx.mode)
  const signalOpt = ctx.signal ? { signal: ctx.signal } : {}
  let messages = 0
  let wireBytes = 0
  let encodeMs = 0
  let sendingMs = 0
  const flush = async (): Promise<void> => {
    if (writer.bytes === 0) return
    const records = writer.take()
    const t0 = performance.now()
    // A custom codec sees every byte the node moves: the records go through it as one frame. The default codecs
    // leave them as they are (their page frames are compressed already; encoding them again costs the pause).
    const payload = ctx.node.customCodec
      ? (await ctx.node.codec.encode(records, ctx.node.codecContext(ctx.target))).frame
      : records
    await ctx.node.send(
      ctx.target,
      RECORDS_CHANNEL,
      encodeRecordsMessage(ctx.migrationId, payload, ctx.node.customCodec),
      signalOpt,
    )
    sendingMs += performance.now() - t0
    messages++
    wireBytes += payload.byteLength
  }
  for (let i = 0; i < pages.length; ) {
    throwIfAborted(ctx.signal)
    const t0 = performance.now()
    i = addPageSpan(writer, workload, pages, i)
    encodeMs += performance.now() - t0
    if (writer.bytes >= ctx.batchBytes) await flush()
  }
  await flush()
  const confirmStartedMs = performance.now()
  await controlFor(ctx.node).request(
    ctx.target,
    { type: 'applied', migrationId: ctx.migrationId, messages },
    signalOpt,
  )
  const endMs = performance.now()
  recordDeltaHitRate(ctx, writer)
  ctx.onProgress({ round, pagesDone: pages.length, pagesTotal: pages.length, wireBytes })
  return {
    round,
    kind,
    pages: pages.length,
    rawBytes: pages.length * PAGE_BYTES,
    wireBytes,
    durationMs: endMs - startedMs,
    encodeMs,
    transferMs: sendingMs + (endMs - confirmStartedMs),
    rereadBytes: 0,
  }
}

/**
 * Adds the pages of the span starting at `pages[start]` (see `page-spans.ts`), read with one call: each as a
 * patch of the version the target holds (the ranges written since its last send) when the workload logged
 * them, else whole. Returns the index after the span.
 */
function addPageSpan(
  writer: RecordWriter,
  workload: FileWorkload,
  pages: readonly number[],
  start: number,
): number {
  const end = spanEnd(pages.length, start, (k) => pages[k] as number)
  const first = pages[start] as number
  // The write logs must be taken before the read: reading for sending drops them.
  const logs: (readonly number[] | undefined)[] = []
  for (let k = start; k < end; k++) logs.push(workload.writeLog(pages[k] as number))
  // Only the listed pages count as sent: a page between them may have been changed since the list was taken.
  const span = workload.readSpanForSend(
    first,
    (pages[end - 1] as number) - first + 1,
    pages.slice(start, end),
  )
  for (let k = start; k < end; k++) {
    const page = pages[k] as number
    const at = (page - first) * PAGE_BYTES
    const bytes = span.subarray(at, at + PAGE_BYTES)
    const log = logs[k - start]
    if (log) writer.addPatch(page, bytes, log)
    else writer.addPage(page, bytes, undefined)
  }
  return end
}
