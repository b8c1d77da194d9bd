import { fromFactory, transportComplianceSuite } from '../compliance/transport-suite.js'
import { tcpTransport } from './tcp-transport.js'

transportComplianceSuite('tcp (plaintext)', {
  create: fromFactory(tcpTransport({ tls: false, streams: 4 })),
  listenAddress: () => 'tcp://127.0.0.1:0',
  unreachableAddress: () => 'tcp://127.0.0.1:1',
})
