import { type Codec, crc32c, type EncodedChunk, FrameCorruptError } from '@dwcp/core'

/** Bytes before the payload of a {@link countingCodec} frame: magic, original length, CRC32C of the original. */
const HEADER_BYTES = 10
const MAGIC = 0x4343

/** A {@link Codec} for tests that counts what passes through it. */
export interface CountingCodec extends Codec {
  /** Original bytes encoded. */
  readonly encodedBytes: number
  /** Bytes decoded (what decode returned). */
  readonly decodedBytes: number
  /** Frames encoded. */
  readonly framesEncoded: number
  /** Frames decoded. */
  readonly framesDecoded: number
  /** Most encodings running at once. */
  readonly concurrentEncodesMax: number
}

/** Options of {@link countingCodec}. */
export interface CountingCodecOptions {
  /** Awaited inside every encode (a slow encoder); none by default. */
  encodeDelay?: () => Promise<void>
  /** Awaited inside every decode (a slow decoder, possibly finishing out of order); none by default. */
  decodeDelay?: () => Promise<void>
}

/**
 * A codec for tests that changes every byte (XOR 0x5a), so that a chunk written without decoding is visibly
 * wrong, and checks its own frames (magic, length and a CRC32C of the original), so that a corrupt frame is
 * refused with `DWCP_ERR_FRAME_CORRUPT`. It counts the bytes and frames it sees.
 */
export function countingCodec(options: CountingCodecOptions = {}): CountingCodec {
  let encodedBytes = 0
  let decodedBytes = 0
  let framesEncoded = 0
  let framesDecoded = 0
  let encoding = 0
  let concurrentEncodesMax = 0
  return {
    name: 'counting',
    get encodedBytes() {
      return encodedBytes
    },
    get decodedBytes() {
      return decodedBytes
    },
    get framesEncoded() {
      return framesEncoded
    },
    get framesDecoded() {
      return framesDecoded
    },
    get concurrentEncodesMax() {
      return concurrentEncodesMax
    },
    async encode(chunk: Uint8Array): Promise<EncodedChunk> {
      encoding++
      concurrentEncodesMax = Math.max(concurrentEncodesMax, encoding)
      try {
        await options.encodeDelay?.()
        const frame = new Uint8Array(HEADER_BYTES + chunk.byteLength)
        const view = new DataView(frame.buffer)
        view.setUint16(0, MAGIC)
        view.setUint32(2, chunk.byteLength)
        view.setUint32(6, crc32c(chunk))
        for (let i = 0; i < chunk.byteLength; i++) frame[HEADER_BYTES + i] = (chunk[i] as number) ^ 0x5a
        encodedBytes += chunk.byteLength
        framesEncoded++
        return { frame, algorithm: 'counting', originalBytes: chunk.byteLength }
      } finally {
        encoding--
      }
    },
    async decode(frame: Uint8Array): Promise<Uint8Array> {
      await options.decodeDelay?.()
      if (frame.byteLength < HEADER_BYTES) throw new FrameCorruptError('counting frame too short')
      const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength)
      if (view.getUint16(0) !== MAGIC) throw new FrameCorruptError('not a counting frame')
      const lengthBytes = view.getUint32(2)
      if (lengthBytes !== frame.byteLength - HEADER_BYTES)
        throw new FrameCorruptError('counting frame length does not match')
      const out = new Uint8Array(lengthBytes)
      for (let i = 0; i < lengthBytes; i++) out[i] = (frame[HEADER_BYTES + i] as number) ^ 0x5a
      if (crc32c(out) !== view.getUint32(6)) throw new FrameCorruptError('counting frame CRC mismatch')
      decodedBytes += lengthBytes
      framesDecoded++
      return out
    },
  }
}
