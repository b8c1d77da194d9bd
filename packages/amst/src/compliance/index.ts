/**
 * @packageDocumentation
 * The transport compliance suite (vitest). Every Transport implementation runs it.
 *
 * @example
 * ```ts
 * import { memoryTransport, MemoryNetwork } from '@dwcp/amst'
 * import { fromFactory, transportComplianceSuite } from '@dwcp/amst/compliance'
 *
 * const network = new MemoryNetwork()
 * transportComplianceSuite('memory', {
 *   create: fromFactory(memoryTransport({ network })),
 *   listenAddress: () => 'memory://',
 *   unreachableAddress: () => 'memory://nobody',
 * })
 * ```
 */

export * from './pattern-source.js'
export * from './transport-suite.js'
