import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  bytesSink,
  bytesSource,
  type Codec,
  type CodecContext,
  type CodecFactory,
  type EncodedChunk,
  type Mode,
} from '@dwcp/core'
import { noneCodec } from '@dwcp/hde'
import { type PrometheusMetrics, prometheusMetrics } from '@dwcp/metrics'
import { afterEach, describe, expect, it } from 'vitest'
import { createNode } from './create-node.js'
import { acceptMigrations } from './migration/accept.js'
import { migrate } from './migration/migrate.js'
import { imagePageDigest } from './migration/page-digests.js'
import { decodeRecordsMessage, RECORDS_CHANNEL } from './migration/records-channel.js'
import { makeWorkload, startWriter } from './migration/test-fixtures/migration-cluster.js'
import type { NodeTuning } from './mode-defaults.js'
import type { DwcpNode } from './node.js'

const nodes: DwcpNode[] = []
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()))
})

const MiB = 1024 * 1024

/** An image as VMs have them: 40 % zero chunks, the rest text-like (compressible) and some random. */
function vmLikeImage(sizeBytes: number): Uint8Array {
  const image = new Uint8Array(sizeBytes)
  const text = new TextEncoder().encode(
    'kernel: eth0 link up, 1000 Mbit/s full duplex; systemd[1]: started. ',
  )
  for (let at = 0; at < sizeBytes; at += MiB) {
    const kind = (at / MiB) % 10
    const chunk = image.subarray(at, at + MiB)
    if (kind < 4) continue // zero
    if (kind < 9) for (let i = 0; i < chunk.length; i++) chunk[i] = text[i % text.length] as number
    else chunk.set(randomBytes(chunk.length))
  }
  return image
}

async function tcpPair(
  modes: [Mode, Mode],
  options: { codec?: CodecFactory } = {},
  tuning: NodeTuning = {},
): Promise<{ a: DwcpNode; b: DwcpNode; metricsA: PrometheusMetrics }> {
  const metricsA = prometheusMetrics({ defaultLabels: { node: 'a' } })()
  const a = createNode(modes[0], {
    nodeId: 'a',
    listen: ['tcp://127.0.0.1:0'],
    tls: false,
    metrics: metricsA,
    tuning,
    ...options,
  })
  const b = createNode(modes[1], {
    nodeId: 'b',
    listen: ['tcp://127.0.0.1:0'],
    tls: false,
    tuning,
    ...options,
  })
  nodes.push(a, b)
  await a.start()
  await b.start()
  await a.connect(b.addresses()[0] as string)
  return { a, b, metricsA }
}

/** A codec that sends chunks as they are and counts the bytes it encodes and decodes into `counts`. */
function countingCodec(counts: { encoded: number; decoded: number }): CodecFactory {
  return (components) => {
    const none = noneCodec()(components)
    return {
      name: 'counting',
      async encode(chunk: Uint8Array, context: CodecContext): Promise<EncodedChunk> {
        counts.encoded += chunk.byteLength
        return none.encode(chunk, context)
      },
      async decode(frame: Uint8Array, context: CodecContext): Promise<Uint8Array> {
        const bytes = await none.decode(frame, context)
        counts.decoded += bytes.byteLength
        return bytes
      },
    } satisfies Codec
  }
}

function receiveInto(node: DwcpNode, sizeBytes: number): Promise<Uint8Array> {
  const sink = bytesSink(sizeBytes)
  return new Promise((resolve, reject) =>
    node.on('transfer', (_peer, incoming) => {
      incoming.accept(sink).then(() => resolve(sink.bytes), reject)
    }),
  )
}

describe('the node codec on transfers', { timeout: 120_000 }, () => {
  it('datacenter: zero chunks cost a header and the rest goes lz4 (well under half the image on the wire)', async () => {
    const { a, b, metricsA } = await tcpPair(['datacenter', 'datacenter'])
    const image = vmLikeImage(32 * MiB)
    const received = receiveInto(b, image.byteLength)
    const result = await a.transfer('b', bytesSource(image), { chunkBytes: MiB })
    expect(Buffer.from(await received).equals(image)).toBe(true)
    expect(result.wireBytes).toBeLessThan(0.2 * image.byteLength)
    const text = await metricsA.render()
    expect(text).toMatch(/dwcp_hde_bytes_original_total\{algorithm="zero",node="a"\} 14680064/)
    expect(text).toMatch(/dwcp_hde_bytes_original_total\{algorithm="lz4",node="a"\} [1-9]/)
  })

  it('a custom codec passed to createNode sees every byte, on both ends', async () => {
    const counts = { encoded: 0, decoded: 0 }
    const counting = countingCodec(counts)
    const { a, b } = await tcpPair(['internet', 'internet'], { codec: counting })
    const payload = randomBytes(9 * MiB + 123)
    const received = receiveInto(b, payload.byteLength)
    await a.transfer('b', bytesSource(payload))
    expect(Buffer.from(await received).equals(payload)).toBe(true)
    expect(counts).toEqual({ encoded: payload.byteLength, decoded: payload.byteLength })
    expect(a.health().components.codec?.implementation).toBe('custom (counting)')
  })

  it('a custom codec sees the records of a migration too, on both ends', async () => {
    const counts = { encoded: 0, decoded: 0 }
    const counting = countingCodec(counts)
    const root = mkdtempSync(join(tmpdir(), 'dwcp-custom-codec-'))
    try {
      const members = ['a', 'b'].map((id) => ({ id, address: `memory://custom-codec-${id}` }))
      const [a, b] = ['a', 'b'].map((id) =>
        createNode('internet', {
          nodeId: id,
          listen: [`memory://custom-codec-${id}`],
          metrics: false,
          codec: counting,
          cluster: { members, dataDir: join(root, id) },
        }),
      ) as [DwcpNode, DwcpNode]
      nodes.push(a, b)
      await a.start()
      await b.start()
      await a.connect(b.addresses()[0] as string)
      mkdirSync(join(root, 'images'))
      const receiver = acceptMigrations(b, { dir: join(root, 'images') })
      const flags: boolean[] = []
      b.on('message', (_peer, channel, bytes) => {
        if (channel === RECORDS_CHANNEL) flags.push(decodeRecordsMessage(bytes).encoded)
      })
      const workload = await makeWorkload(root, 'vm-c', 8 * MiB)
      const writer = startWriter(workload)
      try {
        const summary = await migrate({ node: a, workload, target: 'b' })
        await writer.stop()
        expect(summary.digest).toBe(await imagePageDigest(workload.sizeBytes, (o, l) => workload.read(o, l)))
      } finally {
        receiver.close()
        workload.close()
      }
      // The stop-and-copy at least went as records messages, each one a frame of the custom codec.
      expect(flags.length).toBeGreaterThan(0)
      expect(flags.every((encoded) => encoded)).toBe(true)
      expect(counts.encoded).toBeGreaterThan(8 * MiB)
      expect(counts.decoded).toBe(counts.encoded)
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })

  it('a node decodes what a node of another mode encodes (internet to datacenter)', async () => {
    const { a, b } = await tcpPair(['internet', 'datacenter'])
    const image = vmLikeImage(8 * MiB)
    const received = receiveInto(b, image.byteLength)
    const result = await a.transfer('b', bytesSource(image))
    expect(Buffer.from(await received).equals(image)).toBe(true)
    expect(result.wireBytes).toBeLessThan(0.3 * image.byteLength)
  })
})

describe('the node tuning of its mode defaults', { timeout: 120_000 }, () => {
  it('takes the codec algorithm and level, and the stream count and cap, from tuning', async () => {
    const tuning = {
      compression: { algorithm: 'zstd' as const, level: 5, mlEnabled: false },
      transport: { streams: 3, maxStreams: 5 },
    }
    const { a, b, metricsA } = await tcpPair(['internet', 'internet'], {}, tuning)
    expect(a.health().components.codec?.implementation).toBe('zstd level 5, zero chunks as headers')
    expect(a.session('b')?.streams).toBe(3)
    // The cap holds when more are asked for.
    ;(a.session('b') as NonNullable<ReturnType<DwcpNode['session']>>).streams = 20
    expect(a.session('b')?.streams).toBe(5)
    const image = vmLikeImage(10 * MiB)
    const received = receiveInto(b, image.byteLength)
    await a.transfer('b', bytesSource(image))
    expect(Buffer.from(await received).equals(image)).toBe(true)
    const text = await metricsA.render()
    expect(text).toMatch(/dwcp_hde_bytes_original_total\{algorithm="zstd",node="a"\} [1-9]/)
  })

  it('refuses tuning outside its ranges', () => {
    expect(() => createNode('internet', { tuning: { transport: { streams: 0 } } })).toThrow(
      expect.objectContaining({ code: 'DWCP_ERR_INVALID_ARGUMENT' }),
    )
    expect(() => createNode('internet', { tuning: { compression: { level: 40 } } })).toThrow(
      expect.objectContaining({ code: 'DWCP_ERR_INVALID_ARGUMENT' }),
    )
  })
})
