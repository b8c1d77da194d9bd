import {
  type ComponentHealth,
  ConfigInvalidError,
  Emitter,
  InvalidArgumentError,
  type Session,
  type Transport,
  type TransportEvents,
  type TransportFactory,
} from '@dwcp/core'

/** Options of {@link schemeTransport}. */
export interface SchemeTransportInit {
  /** One transport per address scheme (`tcp`, `ucx`, `memory`): at least two. */
  schemes: Readonly<Record<string, TransportFactory>>
}

/**
 * One transport over several, chosen by each address's scheme: a node listens on `tcp://` and `ucx://` at once
 * (peers without RDMA dial the first, the others the second), and dials each peer on the scheme of the address
 * it was given. Sessions of every scheme reach the same listeners.
 */
export function schemeTransport(init: SchemeTransportInit): TransportFactory {
  const names = Object.keys(init.schemes)
  if (names.length < 2) throw new ConfigInvalidError('listen', 'a scheme transport needs two schemes or more')
  return (components) => {
    const transports = new Map(names.map((scheme) => [scheme, init.schemes[scheme]!(components)]))
    return new SchemeTransport(transports)
  }
}

class SchemeTransport extends Emitter<TransportEvents> implements Transport {
  readonly #transports: ReadonlyMap<string, Transport>
  #offs: Array<() => void> = []

  constructor(transports: ReadonlyMap<string, Transport>) {
    super()
    this.#transports = transports
  }

  get name(): string {
    return [...this.#transports.values()].map((t) => t.name).join('+')
  }

  async start(options?: { signal?: AbortSignal }): Promise<void> {
    const started: Transport[] = []
    try {
      for (const transport of this.#transports.values()) {
        await transport.start(options)
        started.push(transport)
        this.#offs.push(transport.on('session', (session) => this.emit('session', session)))
      }
    } catch (error) {
      for (const off of this.#offs.splice(0)) off()
      await Promise.all(started.map((t) => t.stop().catch(() => {})))
      throw error
    }
  }

  async stop(options?: { signal?: AbortSignal }): Promise<void> {
    for (const off of this.#offs.splice(0)) off()
    await Promise.all([...this.#transports.values()].map((t) => t.stop(options)))
  }

  listen(address: string, options?: { signal?: AbortSignal }): Promise<string> {
    return this.#for(address).listen(address, options)
  }

  dial(address: string, options?: { signal?: AbortSignal }): Promise<Session> {
    return this.#for(address).dial(address, options)
  }

  addresses(): string[] {
    return [...this.#transports.values()].flatMap((t) => t.addresses())
  }

  sessions(): Session[] {
    return [...this.#transports.values()].flatMap((t) => t.sessions())
  }

  /** The worst of the parts' states, each part's health in `details` by scheme. */
  health(): ComponentHealth {
    const parts = Object.fromEntries([...this.#transports].map(([scheme, t]) => [scheme, t.health()]))
    const order = ['down', 'degraded', 'absent', 'up'] as const
    const status = order.find((s) => Object.values(parts).some((h) => h.status === s)) ?? 'up'
    const reasons = Object.entries(parts)
      .filter(([, h]) => h.reason !== undefined)
      .map(([scheme, h]) => `${scheme}: ${h.reason}`)
    return {
      status: status === 'absent' ? 'degraded' : status,
      implementation: this.name,
      ...(reasons.length > 0 ? { reason: reasons.join('; ') } : {}),
      details: parts,
    }
  }

  #for(address: string): Transport {
    const scheme = typeof address === 'string' ? address.split('://')[0] : undefined
    const transport = scheme === undefined ? undefined : this.#transports.get(scheme)
    if (!transport)
      throw new InvalidArgumentError(
        'address',
        `${String(address)}: this node serves ${[...this.#transports.keys()].map((s) => `${s}://`).join(', ')}`,
      )
    return transport
  }
}
