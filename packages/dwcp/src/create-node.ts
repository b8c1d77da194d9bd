import { randomUUID } from 'node:crypto'
import {
  type ComponentHealth,
  type Consensus,
  InvalidArgumentError,
  isMode,
  type Metrics,
  type Mode,
  ModeDetector,
  type NodeIdentity,
  silentLogger,
  systemClock,
  systemRandom,
} from '@dwcp/core'
import { prometheusMetrics } from '@dwcp/metrics'
import { internetState } from './crdt/internet-state.js'
import { defaultPredictor } from './default-predictor.js'
import { defaultTransport } from './default-transport.js'
import { tunedDefaults } from './mode-defaults.js'
import { DwcpNode } from './node.js'
import { nodeCodecs } from './node-codecs.js'
import type { NodeOptions } from './node-options.js'
import { clusterState } from './raft/cluster-state.js'

/** Longest node or cluster id. */
const MAX_ID_LENGTH = 128

/**
 * Creates a node for `mode` with every default wired (DESIGN.md §1); any part can be replaced through
 * `options`. Parts this release does not build yet are reported by `node.health()` rather than pretended.
 *
 * @example
 * ```ts
 * const a = createNode('datacenter', { nodeId: 'a' })
 * const b = createNode('datacenter', { nodeId: 'b' })
 * await a.start()
 * await b.start()
 * await a.connect(b.addresses()[0])
 * ```
 */
export function createNode(mode: Mode, options: NodeOptions = {}): DwcpNode {
  if (!isMode(mode))
    throw new InvalidArgumentError('mode', `must be datacenter, internet or hybrid, not ${String(mode)}`)
  const nodeId = options.nodeId ?? randomUUID()
  const clusterId = options.clusterId ?? 'default'
  for (const [name, value] of [
    ['nodeId', nodeId],
    ['clusterId', clusterId],
  ] as const) {
    if (value.length === 0 || value.length > MAX_ID_LENGTH || !/^[A-Za-z0-9._-]+$/.test(value))
      throw new InvalidArgumentError(name, `must be 1..${MAX_ID_LENGTH} of [A-Za-z0-9._-]`)
  }
  const defaults = tunedDefaults(mode, options.tuning)
  const clock = options.clock ?? systemClock()
  const logger = (options.logger ?? silentLogger()).child({ nodeId })
  const random = options.random ?? systemRandom()
  const sampleIntervalMs = options.sampleIntervalMs ?? 1000
  if (!(sampleIntervalMs > 0)) throw new InvalidArgumentError('sampleIntervalMs', 'must be > 0')

  const { metrics, metricsHealth } = buildMetrics(options.metrics, nodeId)
  const detector = new ModeDetector(clock, { initialMode: mode, ...options.modeDetection })
  if (options.forceMode ?? true) detector.force(mode)

  const codecs = nodeCodecs(mode, defaults, options.codec, { logger, ...(metrics ? { metrics } : {}) })
  const identity = (): NodeIdentity => ({
    nodeId,
    clusterId,
    mode: detector.mode,
    capabilities: { codecs: [codecs.decoder.name], maxStreams: 512, rdma: false },
  })
  const components = {
    clock,
    logger,
    random,
    identity,
    chunkDecoder: codecs.decoder,
    ...(metrics ? { metrics } : {}),
  }
  const listen = options.listen ?? (options.transport ? [] : [`memory://${nodeId}`])
  const transport = (
    options.transport ??
    defaultTransport(mode, defaults, listen, options.tls, options.tuning?.transport).factory
  )(components)
  const predictorFactory = options.predictor ?? defaultPredictor(defaults)
  const predictorHealth: ComponentHealth = {
    status: 'up',
    implementation: options.predictor ? 'custom' : `onnx-${defaults.prediction.model}`,
  }

  let node: DwcpNode | undefined
  const context = { nodeId, clusterId, clock, random, logger, metrics, node: () => node }
  // Datacenter and hybrid keep cluster state with Raft (inside a site); internet mode converges by CRDT.
  const cluster = options.cluster && mode !== 'internet' ? clusterState(options.cluster, context) : undefined
  const internet =
    options.cluster && mode === 'internet' ? internetState(options.cluster, context) : undefined

  node = new DwcpNode({
    nodeId,
    clusterId,
    listen,
    transport,
    codecs,
    predictorFactory,
    predictorHealth,
    replicator: options.replicator ?? cluster?.replicator ?? internet?.replicator,
    consensus: options.consensus ?? cluster?.consensus ?? internet?.consensus,
    members: clusterMembers(options.consensus ?? cluster?.consensus ?? internet?.consensus, options.cluster),
    storageHealth: cluster?.storageHealth ?? internet?.storageHealth,
    consensusDetails: options.consensus
      ? undefined
      : (cluster?.consensusDetails ?? internet?.consensusDetails),
    metrics,
    metricsHealth,
    logger,
    clock,
    detector,
    sampleIntervalMs,
    streamTuning: options.streamTuning ?? { maxStreams: Math.min(512, defaults.transport.streams * 2) },
    pacing: defaults.transport.pacing,
  })
  return node
}

/**
 * The cluster's member ids now: the consensus's (membership changes through it), else the configured list (CRDT
 * state without PBFT); undefined for a node outside any cluster.
 */
function clusterMembers(
  consensus: Consensus | undefined,
  cluster: NodeOptions['cluster'],
): (() => string[]) | undefined {
  if (consensus) return () => consensus.members().map((m) => m.id)
  if (cluster) {
    const ids = cluster.members.map((m) => m.id)
    return () => ids
  }
  return undefined
}

function buildMetrics(
  option: Metrics | false | undefined,
  nodeId: string,
): { metrics: Metrics | undefined; metricsHealth: ComponentHealth } {
  if (option === false)
    return { metrics: undefined, metricsHealth: { status: 'absent', reason: 'disabled by options' } }
  if (option) return { metrics: option, metricsHealth: { status: 'up', implementation: 'custom' } }
  return {
    metrics: prometheusMetrics({ defaultLabels: { node: nodeId } })(),
    metricsHealth: { status: 'up', implementation: 'prometheus' },
  }
}
