import type { ComponentHealth, Mode, Predictor } from '@dwcp/core'
import type { NodeParts } from './node-parts.js'

/** The node's health as `node.health()` and `GET /health` report it. */
export interface NodeHealth {
  /**
   * `ok` when every configured part is up (parts not configured are `absent` and do not count); `degraded` when
   * one serves a fallback or cannot do its job yet (no leader); `down` when one is down or the node is stopped.
   */
  status: 'ok' | 'degraded' | 'down'
  /** Whether the node is running. */
  started: boolean
  /** This node's id. */
  nodeId: string
  /** Its cluster. */
  clusterId: string
  /** The node's current mode. */
  mode: Mode
  /** Whether that mode is forced. */
  modeForced: boolean
  /** Per-component health. */
  components: Record<string, ComponentHealth>
}

/** What the node knows at the moment health is asked for. */
export interface NodeHealthState {
  started: boolean
  nodeId: string
  clusterId: string
  /** The per-peer predictors serving now. */
  predictors: readonly Predictor[]
}

/** Folds component health into the node's overall status: `absent` parts are not configured, not failing. */
export function overallStatus(
  started: boolean,
  components: Record<string, ComponentHealth>,
): NodeHealth['status'] {
  const states = Object.values(components).map((c) => c.status)
  if (!started || states.includes('down')) return 'down'
  if (states.includes('degraded')) return 'degraded'
  return 'ok'
}

/** The health of a node built from `parts`. */
export function nodeHealth(parts: NodeParts, state: NodeHealthState): NodeHealth {
  const absent = (component: string): ComponentHealth => ({
    status: 'absent',
    reason: `no ${component} is configured on this node`,
  })
  const { detector } = parts
  const components: Record<string, ComponentHealth> = {
    transport: parts.transport.health(),
    codec: parts.codecs.health,
    predictor: predictorHealth(parts.predictorHealth, state.predictors),
    modeDetector: {
      status: 'up',
      implementation: 'hysteresis',
      details: { mode: detector.mode, measuredMode: detector.measuredMode, forced: detector.forced ?? null },
    },
    metrics: parts.metricsHealth,
    replicator: parts.replicator
      ? { status: 'up', implementation: parts.replicator.consistency }
      : absent('replicated state'),
    consensus: parts.consensus ? consensusHealth(parts) : absent('consensus'),
    storage: parts.storageHealth?.() ?? {
      status: 'absent',
      reason: 'no cluster state is configured on this node',
    },
  }
  return {
    status: overallStatus(state.started, components),
    started: state.started,
    nodeId: state.nodeId,
    clusterId: state.clusterId,
    mode: detector.mode,
    modeForced: detector.forced !== undefined,
    components,
  }
}

/**
 * The predictor role: `degraded` with the reason when a peer's learned model could not load and the harmonic
 * mean serves instead (a predictor says so through `fallbackReason`); which model serves each peer otherwise.
 */
function predictorHealth(configured: ComponentHealth, predictors: readonly Predictor[]): ComponentHealth {
  const serving: Record<string, number> = {}
  const runtimes: Record<string, number> = {}
  let fallback: string | undefined
  let runtimeReason: string | undefined
  for (const predictor of predictors) {
    serving[predictor.model] = (serving[predictor.model] ?? 0) + 1
    const described = predictor as Predictor & {
      fallbackReason?: string
      health?: () => { runtime?: string; runtimeReason?: string }
    }
    fallback ??= described.fallbackReason
    const health = described.health?.()
    if (health?.runtime) runtimes[health.runtime] = (runtimes[health.runtime] ?? 0) + 1
    runtimeReason ??= health?.runtimeReason
  }
  // Which runtime computes the learned model (onnxruntime, or the TypeScript forward pass where it is absent).
  const details = {
    peers: predictors.length,
    serving,
    ...(Object.keys(runtimes).length > 0 ? { runtimes } : {}),
    ...(runtimeReason ? { runtimeReason } : {}),
  }
  if (fallback === undefined) return { ...configured, details }
  return {
    ...configured,
    status: 'degraded',
    reason: `the harmonic-mean fallback serves: ${fallback}`,
    details,
  }
}

/** Consensus: `degraded` while it has no leader (Raft) or primary (PBFT), with the protocol's facts. */
function consensusHealth(parts: NodeParts): ComponentHealth {
  const consensus = parts.consensus
  if (!consensus) return { status: 'absent' }
  const details = parts.consensusDetails?.()
  if (!details) return { status: 'up', implementation: consensus.protocol }
  const leader = details.leader ?? details.primary
  if (leader === null)
    return {
      status: 'degraded',
      implementation: consensus.protocol,
      reason: 'no leader: an election or view change is running, or a quorum is unreachable',
      details,
    }
  return { status: 'up', implementation: consensus.protocol, details }
}
