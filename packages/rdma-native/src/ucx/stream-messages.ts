import { createHash } from 'node:crypto'
import type { UcxEndpoint } from './ucx-worker.js'

/** Options of {@link sendMessages} and {@link receiveMessages}. */
export interface MessageStreamOptions {
  /** Total bytes to move. */
  totalBytes: number
  /** Size of each message: a fixed size, or the size of message `sequence` (the last one is cut to fit). */
  messageBytes: number | ((sequence: number) => number)
  /** Messages in flight at once (posted receives on the other side). @default 8 */
  window?: number
}

/** A deterministic pattern of `sizeBytes` bytes (a counter-based hash), so both sides can agree on content. */
export function patternBytes(sizeBytes: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(sizeBytes)
  const words = new Uint32Array(bytes.buffer, 0, Math.floor(sizeBytes / 4))
  let x = seed >>> 0
  for (let i = 0; i < words.length; i++) {
    x = (x + 0x9e3779b9) >>> 0
    words[i] = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) >>> 0
  }
  return bytes
}

/**
 * Sends `totalBytes` as numbered messages (tag = sequence number), cycling through `source`, keeping `window`
 * sends in flight. Resolves with the sha256 of what was sent.
 */
export async function sendMessages(
  endpoint: UcxEndpoint,
  source: Uint8Array,
  options: MessageStreamOptions,
): Promise<string> {
  const { totalBytes } = options
  const sizeOf = messageSize(options)
  const window = options.window ?? 8
  const hash = createHash('sha256')
  const inFlight = new Set<Promise<void>>()
  let sequence = 0
  for (let offset = 0, lengthBytes = 0; offset < totalBytes; offset += lengthBytes, sequence++) {
    lengthBytes = Math.min(sizeOf(sequence), totalBytes - offset)
    const start = offset % source.byteLength
    const slice =
      start + lengthBytes <= source.byteLength
        ? source.subarray(start, start + lengthBytes)
        : source.subarray(0, lengthBytes)
    hash.update(slice)
    const sent = endpoint.send(slice, sequence >>> 0).finally(() => inFlight.delete(sent))
    inFlight.add(sent)
    if (inFlight.size >= window) await Promise.race(inFlight)
  }
  await Promise.all(inFlight)
  return hash.digest('hex')
}

/**
 * Receives what {@link sendMessages} sends, into `window` rotating buffers posted ahead, hashing in order.
 * Resolves with the sha256 of what arrived.
 */
export async function receiveMessages(endpoint: UcxEndpoint, options: MessageStreamOptions): Promise<string> {
  const { totalBytes } = options
  const sizeOf = messageSize(options)
  const window = options.window ?? 8
  let count = 0
  let largestBytes = 0
  for (let offset = 0; offset < totalBytes; count++) {
    const lengthBytes = Math.min(sizeOf(count), totalBytes - offset)
    largestBytes = Math.max(largestBytes, lengthBytes)
    offset += lengthBytes
  }
  const hash = createHash('sha256')
  const buffers = Array.from({ length: Math.min(window, count) }, () => new Uint8Array(largestBytes))
  const posted: Array<Promise<{ lengthBytes: number }>> = []
  const post = (sequence: number): void => {
    posted[sequence % buffers.length] = endpoint.recv(
      buffers[sequence % buffers.length] as Uint8Array,
      sequence >>> 0,
    )
  }
  for (let sequence = 0; sequence < buffers.length; sequence++) post(sequence)
  for (let sequence = 0; sequence < count; sequence++) {
    const slot = sequence % buffers.length
    const { lengthBytes } = await (posted[slot] as Promise<{ lengthBytes: number }>)
    hash.update((buffers[slot] as Uint8Array).subarray(0, lengthBytes))
    if (sequence + buffers.length < count) post(sequence + buffers.length)
  }
  return hash.digest('hex')
}

function messageSize(options: MessageStreamOptions): (sequence: number) => number {
  const { messageBytes } = options
  const sizeOf = typeof messageBytes === 'number' ? () => messageBytes : messageBytes
  return (sequence) => {
    const size = sizeOf(sequence)
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`message ${sequence} has size ${size}`)
    return size
  }
}
