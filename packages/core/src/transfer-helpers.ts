import { InvalidArgumentError } from './errors.js'
import type { TransferSink, TransferSource } from './transport.js'

/** A {@link TransferSource} over bytes held in memory. */
export function bytesSource(bytes: Uint8Array): TransferSource {
  return {
    sizeBytes: bytes.byteLength,
    async read(offsetBytes, lengthBytes) {
      if (offsetBytes < 0 || offsetBytes > bytes.byteLength)
        throw new InvalidArgumentError('offsetBytes', 'out of range')
      return bytes.subarray(offsetBytes, Math.min(bytes.byteLength, offsetBytes + lengthBytes))
    },
  }
}

/** A {@link TransferSink} that collects an object of known size into one buffer. */
export interface BytesSink extends TransferSink {
  /** The received bytes (complete once the transfer resolved). */
  readonly bytes: Uint8Array
}

/** Creates a {@link BytesSink} for an object of `sizeBytes` bytes. */
export function bytesSink(sizeBytes: number): BytesSink {
  const bytes = new Uint8Array(sizeBytes)
  return {
    bytes,
    async write(offsetBytes, chunk) {
      if (offsetBytes < 0 || offsetBytes + chunk.byteLength > sizeBytes)
        throw new InvalidArgumentError(
          'offsetBytes',
          `write of ${chunk.byteLength} at ${offsetBytes} exceeds ${sizeBytes}`,
        )
      bytes.set(chunk, offsetBytes)
    },
  }
}
