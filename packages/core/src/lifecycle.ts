/** Something with a start/stop lifecycle. The node starts components in dependency order and stops them in reverse. */
export interface Startable {
  /** Acquires resources (listeners, files, timers). Resolves once the component is usable. */
  start(options?: { signal?: AbortSignal }): Promise<void>
  /** Releases every resource the component holds; afterwards it holds no handle and no timer. */
  stop(options?: { signal?: AbortSignal }): Promise<void>
}

/** The health of one component, as `node.health()` and `GET /health` report it. */
export interface ComponentHealth {
  /**
   * - `up`: working.
   * - `degraded`: working with a fallback (the reason says which).
   * - `down`: configured but failing.
   * - `absent`: not part of this node (not configured, or not built yet): nothing pretends to be there.
   */
  status: 'up' | 'degraded' | 'down' | 'absent'
  /** Which implementation serves the role (e.g. `memory`, `tcp`, `harmonic-mean`). */
  implementation?: string
  /** Why the component is degraded, down or absent. */
  reason?: string
  /** Extra facts worth showing an operator (stream counts, peers…). */
  details?: Record<string, unknown>
}

/** A component that can report its own health. */
export interface HealthReporter {
  /** Reports the component's current health; cheap and synchronous. */
  health(): ComponentHealth
}
