import { fromFactory, transportComplianceSuite } from '../compliance/transport-suite.js'
import { MemoryNetwork } from './memory-network.js'
import { memoryTransport } from './memory-transport.js'

const network = new MemoryNetwork()

transportComplianceSuite('memory', {
  create: fromFactory(memoryTransport({ network })),
  listenAddress: () => 'memory://',
  unreachableAddress: () => 'memory://nobody-here',
})

const lossy = new MemoryNetwork()

transportComplianceSuite('memory with 2 ms latency and 2 % loss', {
  create: fromFactory(memoryTransport({ network: lossy, conditions: { latencyMs: 2, lossRate: 0.02 } })),
  listenAddress: () => 'memory://',
  unreachableAddress: () => 'memory://nobody-here',
})
