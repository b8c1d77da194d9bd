import type { Codec, CodecContext, EncodedChunk, TransferOptions, TransferResult } from '@dwcp/core'

/** Options of `node.transfer`. */
export interface NodeTransferOptions extends TransferOptions {
  /**
   * The bytes are frames this node's codec made already (migration records): they go as they are, not
   * encoded twice. @default false
   */
  encoded?: boolean
}

/** Outcome of `node.transfer`. */
export interface NodeTransferResult extends TransferResult {
  /** Bytes of the encoded frames the chunks travelled as (resent chunks count again). */
  wireBytes: number
}

/** A codec that counts the frame bytes it produced, so a transfer can report what it put on the wire. */
export function countingCodec(codec: Codec): { codec: Codec; frameBytes: () => number } {
  let frameBytes = 0
  return {
    codec: {
      name: codec.name,
      async encode(chunk: Uint8Array, context: CodecContext): Promise<EncodedChunk> {
        const encoded = await codec.encode(chunk, context)
        frameBytes += encoded.frame.byteLength
        return encoded
      },
      decode: (frame, context) => codec.decode(frame, context),
    },
    frameBytes: () => frameBytes,
  }
}
