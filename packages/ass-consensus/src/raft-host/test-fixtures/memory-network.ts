import type { Clock } from '@dwcp/core'
import { MemoryPeerNetwork } from '../../host/test-fixtures/memory-peer-network.js'

/** The shared in-memory network with Raft's default latency of one millisecond. Test support. */
export class MemoryRaftNetwork extends MemoryPeerNetwork {
  constructor(clock: Clock, latencyMs = 1) {
    super(clock, { latencyMs })
  }
}
