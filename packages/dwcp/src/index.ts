/**
 * @packageDocumentation
 * DWCP: move large state (VM memory pages, disk blocks) between machines as fast as the path allows and keep
 * a cluster of them agreeing. `createNode(mode)` composes the transport, codec, predictor, mode detector and
 * metrics with the mode's defaults; any part can be replaced.
 *
 * @example
 * ```ts
 * import { bytesSink, bytesSource } from '@dwcp/core'
 * import { createNode } from 'dwcp'
 *
 * const a = createNode('datacenter', { nodeId: 'a' })
 * const b = createNode('datacenter', { nodeId: 'b' })
 * await Promise.all([a.start(), b.start()])
 * b.on('transfer', (_peer, incoming) => void incoming.accept(bytesSink(incoming.sizeBytes)))
 * await a.connect(b.addresses()[0]!)
 * await a.transfer('b', bytesSource(new Uint8Array(1 << 20)))
 * await Promise.all([a.stop(), b.stop()])
 * ```
 */

export * from '@dwcp/core'
export * from './config/index.js'
export { createNode } from './create-node.js'
export { type NodeHealth, overallStatus } from './health.js'
export * from './migration/index.js'
export { MODE_DEFAULTS, type ModeDefaults, type NodeTuning } from './mode-defaults.js'
export { DwcpNode, type DwcpNodeEvents, type NodeParts } from './node.js'
export type { NodeOptions, StopOptions } from './node-options.js'
export { PBFT_CHANNEL, RAFT_CHANNEL, SYNC_CHANNEL } from './peer-link.js'
export type { ClusterOptions, PbftKeys } from './raft/cluster-options.js'
export { MEMBER_KEY_PREFIX } from './raft/cluster-state.js'
export * from './server/index.js'
