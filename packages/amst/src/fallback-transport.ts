import {
  type ComponentHealth,
  Emitter,
  isDwcpError,
  METRIC_NAMES,
  type Session,
  type Transport,
  type TransportComponents,
  type TransportEvents,
  type TransportFactory,
} from '@dwcp/core'

/** Options of {@link fallbackTransport}. */
export interface FallbackTransportInit {
  /** The transport to use when it starts (e.g. UCX in datacenter mode). */
  primary: TransportFactory
  /** The transport to use when the primary cannot start (e.g. TCP). */
  fallback: TransportFactory
  /** Turns an address of the primary's scheme into the fallback's (e.g. `ucx://h:p` → `tcp://h:p`). */
  translate: (address: string) => string
}

/**
 * Uses the primary transport when it starts and the fallback otherwise, with the reason logged and counted
 * (`dwcp_errors_total{component="amst"}`). Datacenter nodes prefer UCX this way and keep working over TCP on
 * hosts without the native addon.
 */
export function fallbackTransport(init: FallbackTransportInit): TransportFactory {
  return (components) => new FallbackTransport(init, components)
}

class FallbackTransport extends Emitter<TransportEvents> implements Transport {
  readonly #init: FallbackTransportInit
  readonly #components: TransportComponents
  #active: Transport | undefined
  #fellBackBecause: string | undefined
  #off: (() => void) | undefined

  constructor(init: FallbackTransportInit, components: TransportComponents) {
    super()
    this.#init = init
    this.#components = components
  }

  get name(): string {
    return this.#active?.name ?? 'unstarted'
  }

  async start(options?: { signal?: AbortSignal }): Promise<void> {
    let primary: Transport | undefined
    try {
      primary = this.#init.primary(this.#components)
      await primary.start(options)
      this.#active = primary
    } catch (error) {
      await primary?.stop().catch(() => {})
      this.#fellBackBecause = (error as Error).message
      const code = isDwcpError(error) ? error.code : 'DWCP_ERR_NATIVE_UNAVAILABLE'
      this.#components.metrics?.counter(METRIC_NAMES.errors).inc({ component: 'amst', code })
      this.#components.logger.warn(
        { reason: this.#fellBackBecause },
        'preferred transport unavailable; falling back',
      )
      const fallback = this.#init.fallback(this.#components)
      await fallback.start(options)
      this.#active = fallback
    }
    this.#off = this.#active.on('session', (session) => this.emit('session', session))
  }

  async stop(options?: { signal?: AbortSignal }): Promise<void> {
    this.#off?.()
    await this.#active?.stop(options)
  }

  listen(address: string, options?: { signal?: AbortSignal }): Promise<string> {
    return this.#transport().listen(this.#address(address), options)
  }

  dial(address: string, options?: { signal?: AbortSignal }): Promise<Session> {
    return this.#transport().dial(this.#address(address), options)
  }

  addresses(): string[] {
    return this.#active?.addresses() ?? []
  }

  sessions(): Session[] {
    return this.#active?.sessions() ?? []
  }

  health(): ComponentHealth {
    if (!this.#active) return { status: 'down', reason: 'not started' }
    const health = this.#active.health()
    if (this.#fellBackBecause === undefined) return health
    return {
      ...health,
      status: health.status === 'up' ? 'degraded' : health.status,
      reason: `fell back: ${this.#fellBackBecause}`,
    }
  }

  #transport(): Transport {
    if (!this.#active) throw new Error('fallback transport used before start')
    return this.#active
  }

  #address(address: string): string {
    return this.#fellBackBecause === undefined ? address : this.#init.translate(address)
  }
}
