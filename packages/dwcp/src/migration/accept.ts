import { closeSync, ftruncateSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import {
  type BaselineStore,
  type Codec,
  type IncomingTransfer,
  InvalidArgumentError,
  type Mode,
  silentLogger,
  type TransferSink,
} from '@dwcp/core'
import { boundedBaselineStore, deltaCodec } from '@dwcp/hde'
import type { DwcpNode } from '../node.js'
import { controlFor } from './control-channel.js'
import { PAGE_BYTES } from './file-workload.js'
import { imageDigest } from './image-digest.js'
import { applyRecords } from './page-frames.js'
import { servePlacementWrites } from './placement.js'

/** Metadata key naming the migration a transfer belongs to. */
export const MIGRATION_METADATA_KEY = 'dwcp-migration'
/** Largest frames transfer the receiver buffers, in bytes (the sender's batches are 8 MiB plus a page). */
export const MAX_FRAMES_TRANSFER_BYTES = 64 * 1024 * 1024
/** Largest baseline store a source may ask the receiver to keep, in bytes. */
const MAX_BASELINE_BYTES = 1024 * 1024 * 1024
/** Workload ids become file names: keep them to a safe alphabet. */
const SAFE_ID = /^[A-Za-z0-9._-]{1,128}$/

/** Options of {@link acceptMigrations}. */
export interface AcceptMigrationsOptions {
  /** Directory migrated images are written to, as `<workloadId>.img` (partial ones as `.partial-<id>`). */
  dir: string
  /** Called when a migration commits: the image is complete, verified and placed here. */
  onCommitted?: (info: { workloadId: string; path: string; from: string }) => void
}

/** The receiving side of migrations on one node. */
export interface MigrationReceiver {
  /** Migrations in progress (their partial images exist). */
  readonly inProgress: number
  /** Stops accepting and discards every migration in progress. */
  close(): void
}

interface Incoming {
  id: string
  from: string
  workloadId: string
  partialPath: string
  finalPath: string
  fd: number
  pageCount: number
  sizeBytes: number
  codec: Codec
  baselines: BaselineStore
  mode: Mode
  /** Frames transfers applied in the order they completed (the sender sends one at a time). */
  chain: Promise<unknown>
  offClose: () => void
}

/**
 * Registers `node` as a migration target: on `begin` it creates the partial image, applies the full round
 * (positional, straight into the file) and frames rounds (delta-decoded against baselines kept in step with
 * the source), answers `verify` with the image's SHA-256, and on `commit` renames the image into place. On
 * `abort`, on the source's session closing before the commit, and on {@link MigrationReceiver.close}, the
 * partial image is removed. Also serves placement writes forwarded to this node when it leads the cluster.
 */
export function acceptMigrations(node: DwcpNode, options: AcceptMigrationsOptions): MigrationReceiver {
  const control = controlFor(node)
  const incoming = new Map<string, Incoming>()
  const logger = silentLogger()

  const discard = (m: Incoming): void => {
    if (!incoming.delete(m.id)) return
    m.offClose()
    try {
      closeSync(m.fd)
    } catch {}
    rmSync(m.partialPath, { force: true })
  }
  const find = (id: unknown, peer: string): Incoming => {
    const m = incoming.get(String(id))
    if (!m || m.from !== peer)
      throw new InvalidArgumentError('migrationId', `no migration ${String(id)} from ${peer}`)
    return m
  }

  const offs = [
    servePlacementWrites(node),
    control.handle('begin', async (peer, r) => {
      const id = String(r.migrationId)
      const workloadId = String(r.workloadId)
      const sizeBytes = Number(r.sizeBytes)
      const baselineMaxBytes = Number(r.baselineMaxBytes)
      if (!SAFE_ID.test(workloadId) || !SAFE_ID.test(id))
        throw new InvalidArgumentError('workloadId', 'unsafe id')
      if (!Number.isSafeInteger(sizeBytes) || sizeBytes <= 0 || sizeBytes % PAGE_BYTES !== 0)
        throw new InvalidArgumentError('sizeBytes', `${sizeBytes} is not a positive multiple of 4096`)
      if (!(baselineMaxBytes >= 0 && baselineMaxBytes <= MAX_BASELINE_BYTES))
        throw new InvalidArgumentError('baselineMaxBytes', 'out of range')
      const partialPath = join(options.dir, `${workloadId}.partial-${id}`)
      const fd = openSync(partialPath, 'w+')
      ftruncateSync(fd, sizeBytes)
      const session = node.session(peer)
      const m: Incoming = {
        id,
        from: peer,
        workloadId,
        partialPath,
        finalPath: join(options.dir, `${workloadId}.img`),
        fd,
        pageCount: sizeBytes / PAGE_BYTES,
        sizeBytes,
        codec: deltaCodec({ level: Number(r.level) || 3 })({ logger }),
        baselines: boundedBaselineStore({ maxBytes: baselineMaxBytes }),
        mode: r.pathClass === 'datacenter' ? 'datacenter' : 'internet',
        chain: Promise.resolve(),
        // The source went away before committing: it stays authoritative, this copy is worthless.
        offClose: session?.on('close', () => discard(m)) ?? (() => {}),
      }
      incoming.set(id, m)
      return { ok: true }
    }),
    control.handle('verify', async (peer, r) => {
      const m = find(r.migrationId, peer)
      await m.chain
      return { digest: imageDigest(m.sizeBytes, (o, l) => readAt(m.fd, o, l, m.sizeBytes)) }
    }),
    control.handle('commit', async (peer, r) => {
      const m = find(r.migrationId, peer)
      incoming.delete(m.id)
      m.offClose()
      closeSync(m.fd)
      renameSync(m.partialPath, m.finalPath)
      options.onCommitted?.({ workloadId: m.workloadId, path: m.finalPath, from: peer })
      return { path: m.finalPath }
    }),
    control.handle('abort', async (peer, r) => {
      const m = incoming.get(String(r.migrationId))
      if (m && m.from === peer) discard(m)
      return { ok: true }
    }),
    node.on('transfer', (peer, offer) => {
      const id = offer.metadata[MIGRATION_METADATA_KEY]
      if (id === undefined) return
      const m = incoming.get(id)
      if (!m || m.from !== peer) {
        offer.reject(`no migration ${id} in progress from ${peer}`)
        return
      }
      receive(m, offer).catch(() => {
        // The source sees the failure through its transfer and aborts or retries; nothing to do here.
      })
    }),
  ]

  function receive(m: Incoming, offer: IncomingTransfer): Promise<unknown> {
    if (offer.metadata.kind === 'full') {
      if (offer.sizeBytes !== m.sizeBytes) {
        offer.reject('a full round must carry the whole image')
        return Promise.resolve()
      }
      const sink: TransferSink = {
        positional: true,
        async write(offsetBytes, bytes) {
          if (offsetBytes + bytes.byteLength > m.sizeBytes)
            throw new InvalidArgumentError('offsetBytes', 'past the image')
          writeSync(m.fd, bytes, 0, bytes.byteLength, offsetBytes)
        },
      }
      return offer.accept(sink)
    }
    if (offer.sizeBytes > MAX_FRAMES_TRANSFER_BYTES) {
      offer.reject(`a frames transfer is limited to ${MAX_FRAMES_TRANSFER_BYTES} bytes`)
      return Promise.resolve()
    }
    const buffer = new Uint8Array(offer.sizeBytes)
    const sink: TransferSink = {
      async write(offsetBytes, bytes) {
        buffer.set(bytes, offsetBytes)
      },
      // Applied before the transfer is confirmed to the source, so a confirmed round is on disk here.
      close: async () => {
        const applying = m.chain.then(() =>
          applyRecords(buffer, {
            pageCount: m.pageCount,
            readPage: (page) => readAt(m.fd, page * PAGE_BYTES, PAGE_BYTES, m.sizeBytes),
            write: (offsetBytes, bytes) => writeSync(m.fd, bytes, 0, bytes.byteLength, offsetBytes),
            codec: m.codec,
            baselines: m.baselines,
            mode: m.mode,
          }),
        )
        m.chain = applying.catch(() => {})
        await applying
      },
    }
    return offer.accept(sink)
  }

  return {
    get inProgress() {
      return incoming.size
    },
    close() {
      for (const off of offs) off()
      for (const m of [...incoming.values()]) discard(m)
    },
  }
}

function readAt(fd: number, offsetBytes: number, lengthBytes: number, sizeBytes: number): Uint8Array {
  const length = Math.max(0, Math.min(lengthBytes, sizeBytes - offsetBytes))
  const bytes = new Uint8Array(length)
  for (let done = 0; done < length; ) {
    const n = readSync(fd, bytes, done, length - done, offsetBytes + done)
    if (n === 0) break
    done += n
  }
  return bytes
}
