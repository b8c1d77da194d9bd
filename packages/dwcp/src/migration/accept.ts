import { closeSync, ftruncateSync, openSync, readSync, rmSync, statfsSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import {
  type Codec,
  type IncomingTransfer,
  InvalidArgumentError,
  type Mode,
  PeerUnauthorizedError,
  QueueFullError,
  type TransferSink,
} from '@dwcp/core'
import type { DwcpNode } from '../node.js'
import { controlFor } from './control-channel.js'
import { PAGE_BYTES } from './file-workload.js'
import { imageDigest } from './image-digest.js'
import { loadPageHash, PageDigests } from './page-digests.js'
import { applyRecords, type RecordTarget } from './page-frames.js'
import {
  awaitPlacementDecision,
  commitPartial,
  flushImage,
  markVerified,
  recoverPartialImages,
  removePartial,
} from './partial-images.js'
import { placementKey, servePlacementWrites } from './placement.js'
import { decodeRecordsMessage, RECORDS_CHANNEL } from './records-channel.js'

/** Metadata key naming the migration a transfer belongs to. */
export const MIGRATION_METADATA_KEY = 'dwcp-migration'
/** Largest frames transfer the receiver buffers, in bytes (the sender's batches are 8 MiB plus a page). */
export const MAX_FRAMES_TRANSFER_BYTES = 64 * 1024 * 1024
/** Incoming migrations a node runs at once unless told otherwise: each holds an image file and a session's bandwidth. */
export const DEFAULT_MAX_INCOMING_MIGRATIONS = 4
/**
 * How long a target keeps a verified image after its source went away without committing, waiting for the
 * placement to name it (the source may have switched it just before the session dropped), in milliseconds.
 */
export const DEFAULT_VERIFIED_GRACE_MS = 60_000
/** Workload ids become file names: keep them to a safe alphabet. */
const SAFE_ID = /^[A-Za-z0-9._-]{1,128}$/

/** Options of {@link acceptMigrations}. */
export interface AcceptMigrationsOptions {
  /** Directory migrated images are written to, as `<workloadId>.img` (partial ones as `.partial-<id>`). */
  dir: string
  /** Incoming migrations at once; a `begin` beyond them is refused (DWCP_ERR_QUEUE_FULL). @default 4 */
  maxConcurrent?: number
  /**
   * How long a verified image whose source went away before the commit is kept, waiting for the placement to
   * name this node (then it commits by itself); after that the source is taken to be authoritative still.
   * @default 60000
   */
  verifiedGraceMs?: number
  /**
   * Called when a migration commits: the image is complete, verified and placed here. `from` is the source, or
   * empty for a copy a crash left verified and the restarted receiver committed once the placement named it.
   */
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
  /** The hash of every page as written here (a new image reads as zeros), for the comparison before the switch. */
  pages: PageDigests
  /** Codec of plain runs. */
  plainCodec: Codec
  mode: Mode
  /** Frames transfers applied one at a time, in the order they completed (a round's records are independent). */
  chain: Promise<unknown>
  /** Records messages received (channel `migration-records`), and the first that failed to apply. */
  recordMessages: number
  recordFailure: unknown
  offClose: () => void
  /** Set once `verify` answered: from then on, placement naming this node commits the image. */
  offPlacement?: () => void
  /** Stops waiting for the placement of a verified copy whose source went away. */
  stopWaiting?: () => void
  /** A background flush of the image is running; `flushAgain`: more was written meanwhile. */
  flushing?: boolean
  flushAgain?: boolean
}

/**
 * Starts writing what a round left in the page cache to disk, in the background (one flush at a time, another
 * after it when more was written meanwhile), so that the flush the verify answer needs, in the pause, finds
 * little left: a whole 2 GiB image flushed there took over a second.
 */
function flushSoon(m: Incoming): void {
  if (m.flushing) {
    m.flushAgain = true
    return
  }
  m.flushing = true
  flushImage(m.fd)
    .catch(() => {})
    .finally(() => {
      m.flushing = false
      if (m.flushAgain) {
        m.flushAgain = false
        flushSoon(m)
      }
    })
}

/**
 * Registers `node` as a migration target: on `begin` it creates the partial image, applies the full round
 * (positional, straight into the file) and frames rounds (pages decoded against the versions in its own image), answers `verify` with the image's SHA-256, and on `commit` renames the image into place. On
 * `abort`, on the source's session closing before the commit, and on {@link MigrationReceiver.close}, the
 * partial image is removed. Also serves placement writes forwarded to this node when it leads the cluster.
 */
export function acceptMigrations(node: DwcpNode, options: AcceptMigrationsOptions): MigrationReceiver {
  const control = controlFor(node)
  const incoming = new Map<string, Incoming>()
  const maxConcurrent = options.maxConcurrent ?? DEFAULT_MAX_INCOMING_MIGRATIONS
  if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1)
    throw new InvalidArgumentError('maxConcurrent', `${maxConcurrent} is not an integer ≥ 1`)

  const graceMs = options.verifiedGraceMs ?? DEFAULT_VERIFIED_GRACE_MS
  const release = (m: Incoming): void => {
    m.offClose()
    m.offPlacement?.()
    m.stopWaiting?.()
  }
  const discard = (m: Incoming): void => {
    if (!incoming.delete(m.id)) return
    release(m)
    try {
      closeSync(m.fd)
    } catch {}
    removePartial(m.partialPath)
  }
  const find = (id: unknown, peer: string): Incoming => {
    const m = incoming.get(String(id))
    if (!m || m.from !== peer)
      throw new InvalidArgumentError('migrationId', `no migration ${String(id)} from ${peer}`)
    return m
  }

  // What a crash left here: unverified partial images go, verified ones wait for their placement.
  const stopRecovery = recoverPartialImages(node, options.dir, graceMs, ({ workloadId, path }) =>
    options.onCommitted?.({ workloadId, path, from: '' }),
  )
  const offs = [
    servePlacementWrites(node),
    control.handle('begin', async (peer, r) => {
      // What a peer may ask for is bounded: only members, one migration per id and per workload, a few at a
      // time, and only images that fit beside the ones already arriving (image files are sparse until written).
      if (!node.isMember(peer)) throw new PeerUnauthorizedError(peer, 'not a member of this cluster')
      const id = String(r.migrationId)
      const workloadId = String(r.workloadId)
      const sizeBytes = Number(r.sizeBytes)
      if (!SAFE_ID.test(workloadId) || !SAFE_ID.test(id))
        throw new InvalidArgumentError('workloadId', 'unsafe id')
      if (!Number.isSafeInteger(sizeBytes) || sizeBytes <= 0 || sizeBytes % PAGE_BYTES !== 0)
        throw new InvalidArgumentError('sizeBytes', `${sizeBytes} is not a positive multiple of 4096`)
      const level = Number(r.level)
      if (!Number.isInteger(level) || level < 1 || level > 22)
        throw new InvalidArgumentError('level', `${String(r.level)} is not a zstd level of 1..22`)
      if (incoming.has(id))
        throw new InvalidArgumentError('migrationId', `migration ${id} is already in progress`)
      if ([...incoming.values()].some((m) => m.workloadId === workloadId))
        throw new InvalidArgumentError('workloadId', `a migration of ${workloadId} is already in progress`)
      if (incoming.size >= maxConcurrent) throw new QueueFullError('incoming migrations', maxConcurrent)
      const reservedBytes = [...incoming.values()].reduce((sum, m) => sum + m.sizeBytes, 0)
      const freeBytes = freeSpaceBytes(options.dir)
      if (sizeBytes + reservedBytes > freeBytes)
        throw new InvalidArgumentError(
          'sizeBytes',
          `an image of ${sizeBytes} bytes does not fit: ${freeBytes} bytes free in ${options.dir}, ${reservedBytes} held for migrations in progress`,
        )
      const pageHash = await loadPageHash()
      // Checked again: another begin may have taken the place while the hash loaded.
      if (incoming.has(id) || incoming.size >= maxConcurrent)
        throw new QueueFullError('incoming migrations', maxConcurrent)
      const partialPath = join(options.dir, `${workloadId}.partial-${id}`)
      const fd = openSync(partialPath, 'w+')
      try {
        ftruncateSync(fd, sizeBytes)
      } catch (error) {
        closeSync(fd)
        rmSync(partialPath, { force: true })
        throw error
      }
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
        pages: new PageDigests(sizeBytes / PAGE_BYTES, pageHash, new Uint8Array(PAGE_BYTES)),
        plainCodec: node.decoder,
        mode: r.pathClass === 'datacenter' ? 'datacenter' : 'internet',
        chain: Promise.resolve(),
        recordMessages: 0,
        recordFailure: undefined,
        // The source went away before committing: unless it verified this copy (and so may have switched the
        // placement to it just before), it stays authoritative and this copy is worthless.
        offClose: session?.on('close', () => sourceGone(m)) ?? (() => {}),
      }
      incoming.set(id, m)
      return { ok: true }
    }),
    // The records messages of a round precede this request on the same ordered stream: once the chain they
    // joined has run, the round is applied (or its first failure is the answer).
    control.handle('applied', async (peer, r) => {
      const m = find(r.migrationId, peer)
      await m.chain
      if (m.recordFailure !== undefined) throw m.recordFailure
      if (m.recordMessages !== Number(r.messages))
        throw new InvalidArgumentError(
          'messages',
          `${m.recordMessages} records messages arrived, not ${r.messages}`,
        )
      m.recordMessages = 0
      flushSoon(m)
      return { ok: true }
    }),
    node.on('message', (peer, channel, bytes) => {
      if (channel !== RECORDS_CHANNEL) return
      let message: { migrationId: string; records: Uint8Array; encoded: boolean }
      try {
        message = decodeRecordsMessage(bytes)
      } catch {
        return // no migration to charge it to: the source's `applied` count will not match
      }
      const m = incoming.get(message.migrationId)
      if (!m || m.from !== peer) return
      m.recordMessages++
      const records = message.records.slice()
      const { encoded } = message
      m.chain = m.chain
        .then(async () =>
          applyRecords(
            encoded ? await m.plainCodec.decode(records, { mode: m.mode }) : records,
            recordTarget(m),
          ),
        )
        .catch((error: unknown) => {
          m.recordFailure ??= error
        })
    }),
    control.handle('verify', async (peer, r) => {
      const m = find(r.migrationId, peer)
      await m.chain
      watchPlacement(m)
      const digest =
        r.scope === 'image'
          ? imageDigest(m.sizeBytes, (o, l) => readAt(m.fd, o, l, m.sizeBytes))
          : m.pages.digest()
      // On disk before the source may switch to it: a restart after a crash finds it, marked verified.
      await flushImage(m.fd)
      markVerified(m.partialPath, digest)
      return { digest }
    }),
    control.handle('commit', async (peer, r) => ({ path: commit(find(r.migrationId, peer)) })),
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

  /** Moves the verified image into place: the placement names this node. */
  function commit(m: Incoming): string {
    if (!incoming.delete(m.id)) return m.finalPath
    release(m)
    closeSync(m.fd)
    commitPartial(m.partialPath, m.finalPath)
    options.onCommitted?.({ workloadId: m.workloadId, path: m.finalPath, from: m.from })
    return m.finalPath
  }

  /**
   * After `verify`, a placement naming this node means the source switched to this copy: commit it, with or
   * without the source's `commit` (lost with its session, or never sent after a crash).
   */
  function watchPlacement(m: Incoming): void {
    if (m.offPlacement) return
    try {
      m.offPlacement = node.state.observe(placementKey(m.workloadId), (change) => {
        const host = (change.value as { host?: unknown } | null | undefined)?.host
        if (host === node.nodeId && incoming.get(m.id) === m) commit(m)
      })
    } catch {
      // No replicated state: no placement to follow; the source's commit is the only way.
    }
  }

  function sourceGone(m: Incoming): void {
    if (!m.offPlacement) {
      discard(m)
      return
    }
    m.stopWaiting = awaitPlacementDecision({
      node,
      workloadId: m.workloadId,
      graceMs,
      commit: () => commit(m),
      remove: () => discard(m),
    })
  }

  function receive(m: Incoming, offer: IncomingTransfer): Promise<unknown> {
    if (offer.metadata.kind === 'full') {
      if (offer.sizeBytes !== m.sizeBytes) {
        offer.reject('a full round must carry the whole image')
        return Promise.resolve()
      }
      const sink: TransferSink = {
        positional: true,
        close: async () => flushSoon(m),
        async write(offsetBytes, bytes) {
          if (offsetBytes + bytes.byteLength > m.sizeBytes)
            throw new InvalidArgumentError('offsetBytes', 'past the image')
          writeAndRecord(m, offsetBytes, bytes)
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
        const applying = m.chain.then(() => applyRecords(buffer, recordTarget(m)))
        m.chain = applying.catch(() => {})
        await applying
        flushSoon(m)
      },
    }
    return offer.accept(sink)
  }

  return {
    get inProgress() {
      return incoming.size
    },
    close() {
      stopRecovery()
      for (const off of offs) off()
      for (const m of [...incoming.values()]) discard(m)
    },
  }
}

/** The partial image of `m` as the receiver of records. */
function recordTarget(m: Incoming): RecordTarget {
  return {
    pageCount: m.pageCount,
    read: (offsetBytes, lengthBytes) => readAt(m.fd, offsetBytes, lengthBytes, m.sizeBytes),
    write: (offsetBytes, bytes) => writeAndRecord(m, offsetBytes, bytes),
    plainCodec: m.plainCodec,
    mode: m.mode,
  }
}

/** Writes into the partial image and records the hash of every page the write touched, as it now reads. */
function writeAndRecord(m: Incoming, offsetBytes: number, bytes: Uint8Array): void {
  writeSync(m.fd, bytes, 0, bytes.byteLength, offsetBytes)
  if (offsetBytes % PAGE_BYTES === 0 && bytes.byteLength % PAGE_BYTES === 0) {
    m.pages.set(offsetBytes / PAGE_BYTES, bytes)
    return
  }
  // A write that is not whole pages: hash the pages it touched as the file holds them now.
  const first = Math.floor(offsetBytes / PAGE_BYTES)
  const end = Math.ceil((offsetBytes + bytes.byteLength) / PAGE_BYTES)
  m.pages.set(first, readAt(m.fd, first * PAGE_BYTES, (end - first) * PAGE_BYTES, m.sizeBytes))
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

/** Bytes an unprivileged writer may still use on the file system holding `dir`. */
function freeSpaceBytes(dir: string): number {
  const stats = statfsSync(dir)
  return stats.bavail * stats.bsize
}
