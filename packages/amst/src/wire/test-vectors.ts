import type { RawFrame } from './frame-layout.js'
import { FrameType } from './frame-layout.js'

/** The frames docs/PROTOCOL.md gives as examples; `test-vectors/frames.json` holds their encodings. */
export const VECTOR_FRAMES: ReadonlyArray<{ name: string; frame: RawFrame }> = [
  {
    name: 'channel-open "raft" as channel 1',
    frame: {
      type: FrameType.channelOpen,
      flags: 0,
      channel: 1,
      transferId: 0,
      sequence: 0,
      payload: new TextEncoder().encode('raft'),
    },
  },
  {
    name: 'message on channel 1',
    frame: {
      type: FrameType.message,
      flags: 0,
      channel: 1,
      transferId: 0,
      sequence: 0,
      payload: Uint8Array.from([1, 2, 3, 4]),
    },
  },
  {
    name: 'chunk of transfer 7 at offset 262144',
    frame: {
      type: FrameType.chunk,
      flags: 0,
      channel: 0,
      transferId: 7,
      sequence: 262144,
      payload: Uint8Array.from([0xde, 0xad, 0xbe, 0xef]),
    },
  },
  {
    name: 'encoded chunk of transfer 7 at offset 524288 (the payload is the codec frame)',
    frame: {
      type: FrameType.chunk,
      flags: 4,
      channel: 0,
      transferId: 7,
      sequence: 524288,
      payload: Uint8Array.from([0x48, 0x44, 0x01, 0x00]),
    },
  },
  {
    name: 'ack of transfer 7 up to 524288 (from the receiver)',
    frame: {
      type: FrameType.ack,
      flags: 1,
      channel: 0,
      transferId: 7,
      sequence: 524288,
      payload: new Uint8Array(0),
    },
  },
  {
    name: 'selective ack of the chunk at 786432 of transfer 7 (from the receiver, out of order)',
    frame: {
      type: FrameType.ack,
      flags: 3,
      channel: 0,
      transferId: 7,
      sequence: 786432,
      payload: new Uint8Array(0),
    },
  },
  {
    name: 'ping at 1.5 ms',
    frame: {
      type: FrameType.ping,
      flags: 0,
      channel: 0,
      transferId: 0,
      sequence: 1500,
      payload: new Uint8Array(0),
    },
  },
  {
    name: 'offset beyond 4 GiB',
    frame: {
      type: FrameType.chunk,
      flags: 0,
      channel: 0,
      transferId: 2,
      sequence: 5 * 2 ** 32 + 17,
      payload: Uint8Array.from([0]),
    },
  },
]
