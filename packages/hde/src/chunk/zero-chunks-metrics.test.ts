import { METRIC_NAMES, silentLogger } from '@dwcp/core'
import { memoryMetrics } from '@dwcp/core/testing'
import { describe, expect, it } from 'vitest'
import { lz4Codec } from '../codecs/lz4-codec.js'
import { zeroChunks } from './zero-chunks.js'

describe('zeroChunks metrics', () => {
  it('counts zero chunks under algorithm zero with their ratio, and leaves the rest to the inner codec', async () => {
    const metrics = memoryMetrics()
    const components = { logger: silentLogger(), metrics }
    const codec = zeroChunks(lz4Codec()(components), { maxChunkBytes: 1 << 20, metrics })
    const context = { mode: 'datacenter' } as const
    const zero = await codec.encode(new Uint8Array(65536), context)
    const other = await codec.encode(new Uint8Array(4096).fill(7), context)
    const labels = { algorithm: 'zero' }
    expect(metrics.counterValue(METRIC_NAMES.hdeBytesOriginal, labels)).toBe(65536)
    expect(metrics.counterValue(METRIC_NAMES.hdeBytesCompressed, labels)).toBe(zero.frame.byteLength)
    expect(metrics.gaugeValue(METRIC_NAMES.hdeCompressionRatio, labels)).toBe(65536 / zero.frame.byteLength)
    const lz4 = { algorithm: 'lz4' }
    expect(metrics.counterValue(METRIC_NAMES.hdeBytesCompressed, lz4)).toBe(other.frame.byteLength)
    expect(metrics.gaugeValue(METRIC_NAMES.hdeCompressionRatio, lz4)).toBe(4096 / other.frame.byteLength)
  })
})
