/**
 * The frames a session exchanges, as values. Transports that cross a process boundary serialise them (see
 * docs/PROTOCOL.md); the in-memory transport passes them as they are, copying every byte array so that sender
 * and receiver never share a buffer.
 */
export type SessionFrame =
  | { type: 'message'; channel: string; bytes: Uint8Array }
  | {
      type: 'transfer-offer'
      id: string
      sizeBytes: number
      chunkBytes: number
      metadata: Record<string, string>
    }
  | {
      type: 'transfer-accept'
      id: string
      resumeOffsetBytes: number
      windowBytes: number
      /** The receiver writes chunks where they land and acknowledges each with a `chunk-ack`. */
      outOfOrder?: boolean
    }
  | { type: 'transfer-reject'; id: string; reason: string }
  | {
      type: 'chunk'
      id: string
      /** Where the chunk sits in the original object. */
      offsetBytes: number
      /** The chunk, or the codec's frame of it when `encoded`. */
      bytes: Uint8Array
      /** The bytes are the sender's codec frame, to be decoded with the session's chunk decoder. */
      encoded?: boolean
    }
  | { type: 'ack'; id: string; ackedBytes: number }
  | { type: 'chunk-ack'; id: string; offsetBytes: number }
  | { type: 'transfer-end'; id: string; digest: string }
  | { type: 'transfer-done'; id: string; digest: string }
  | { type: 'transfer-abort'; id: string; reason: string }
  | { type: 'ping'; sentAtMs: number }
  | { type: 'pong'; sentAtMs: number }
  | { type: 'close'; reason: string }

/** The frame's size on the wire, for queue bounds and byte counters (payload plus a fixed header estimate). */
export function frameSizeBytes(frame: SessionFrame): number {
  const headerBytes = 32
  switch (frame.type) {
    case 'message':
      return headerBytes + frame.channel.length + frame.bytes.byteLength
    case 'chunk':
      return headerBytes + frame.id.length + frame.bytes.byteLength
    default:
      return headerBytes + 64
  }
}

/** A copy of a frame whose byte arrays are the receiver's own. */
export function cloneFrame(frame: SessionFrame): SessionFrame {
  if (frame.type === 'message' || frame.type === 'chunk') return { ...frame, bytes: frame.bytes.slice() }
  if (frame.type === 'transfer-offer') return { ...frame, metadata: { ...frame.metadata } }
  return { ...frame }
}
