/**
 * Test support: one delta codec shared by a sender and a receiver, each with its own bounded baseline store,
 * plus in-memory metrics that check every call as production does and remember what was recorded. Used only
 * by tests.
 */
import { silentLogger } from '@dwcp/core'
import { memoryMetrics } from '@dwcp/core/testing'
import type { DecodedFrame, FrameAlgorithm } from '../../frame.js'
import { boundedBaselineStore } from '../baseline-store.js'
import { type DeltaCodecInit, deltaCodec } from '../delta-codec.js'
import { splitPageFrames } from '../page-frames.js'

/** Options of {@link migration}. */
export interface MigrationInit extends DeltaCodecInit {
  /** Bound of the sender's store. @default 64 MiB */
  senderMaxBytes?: number
  /** Bound of the receiver's store. @default senderMaxBytes */
  receiverMaxBytes?: number
}

/** A sender and a receiver of pages, sharing one codec, each with its own store. */
export function migration(init: MigrationInit = {}) {
  const { senderMaxBytes = 64 * 1024 * 1024, receiverMaxBytes = senderMaxBytes, ...codecInit } = init
  const metrics = memoryMetrics()
  const codec = deltaCodec(codecInit)({ logger: silentLogger(), metrics })
  const senderStore = boundedBaselineStore({ maxBytes: senderMaxBytes })
  const receiverStore = boundedBaselineStore({ maxBytes: receiverMaxBytes })
  return {
    codec,
    senderStore,
    receiverStore,
    metrics,
    send: (chunk: Uint8Array, baselineId?: string) =>
      codec.encode(chunk, { mode: 'internet', baselineId, baselines: senderStore }),
    receive: (frame: Uint8Array, baselineId?: string) =>
      codec.decode(frame, { mode: 'internet', baselineId, baselines: receiverStore }),
  }
}

/** Algorithm of each page frame of an encoded chunk (the end frame left out). */
export function pageAlgorithms(encoded: Uint8Array, pageBytes = 4096): FrameAlgorithm[] {
  return pageFrames(encoded, pageBytes).map((frame) => frame.algorithm)
}

/** The verified page frames of an encoded chunk (the end frame left out). */
export function pageFrames(encoded: Uint8Array, pageBytes = 4096): DecodedFrame[] {
  return splitPageFrames(encoded, pageBytes, Number.MAX_SAFE_INTEGER).pages
}

/** Concatenates pages into one chunk. */
export function concatPages(pages: readonly Uint8Array[]): Uint8Array {
  const chunk = new Uint8Array(pages.reduce((sum, page) => sum + page.length, 0))
  let offset = 0
  for (const page of pages) {
    chunk.set(page, offset)
    offset += page.length
  }
  return chunk
}
