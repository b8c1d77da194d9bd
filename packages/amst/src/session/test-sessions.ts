import { type Codec, type PeerInfo, silentLogger, systemClock } from '@dwcp/core'
import { complianceIdentity } from '../compliance/transport-suite.js'
import { MultiStreamSession } from './multi-stream-session.js'
import type { TestStreamPair } from './test-stream-pair.js'

/**
 * The two sessions over a {@link TestStreamPair}: the client on side a, the server on side b, both decoding
 * encoded chunks with `chunkDecoder` when given. The caller closes them.
 */
export function testSessions(
  pair: TestStreamPair,
  chunkDecoder?: Codec,
): { client: MultiStreamSession; server: MultiStreamSession } {
  const [client, server] = (['a', 'b'] as const).map((side) => {
    const remote: PeerInfo = {
      ...complianceIdentity(side === 'a' ? 'node-b' : 'node-a'),
      address: 'test://pair',
    }
    return new MultiStreamSession({
      id: 'test-session',
      remote,
      provider: pair[side],
      transport: 'test',
      rdma: false,
      clock: systemClock(),
      logger: silentLogger(),
      ...(chunkDecoder ? { chunkDecoder } : {}),
      localMode: () => 'internet',
    })
  }) as [MultiStreamSession, MultiStreamSession]
  return { client, server }
}
