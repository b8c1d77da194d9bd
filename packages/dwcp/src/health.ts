import type { ComponentHealth, Mode } from '@dwcp/core'

/** The node's health as `node.health()` and `GET /health` report it. */
export interface NodeHealth {
  /** `ok` when every present part is up; `degraded` when one runs on a fallback or is absent; `down` otherwise. */
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

/** Folds component health into the node's overall status. */
export function overallStatus(
  started: boolean,
  components: Record<string, ComponentHealth>,
): NodeHealth['status'] {
  const states = Object.values(components).map((c) => c.status)
  if (!started || states.includes('down')) return 'down'
  if (states.includes('degraded') || states.includes('absent')) return 'degraded'
  return 'ok'
}
