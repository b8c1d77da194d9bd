import {
  fallbackTransport,
  memoryTransport,
  type TcpTransportInit,
  type TlsConfig,
  tcpTransport,
  ucxTransport,
} from '@dwcp/amst'
import { ConfigInvalidError, type Mode, type TransportFactory } from '@dwcp/core'
import type { ModeDefaults } from './mode-defaults.js'

/** The transport factory and listen addresses a node gets when the host names no transport. */
export interface DefaultTransport {
  factory: TransportFactory
  /** What health() says serves the transport role by default, and why not the mode's preferred one. */
  note?: string
}

/**
 * Chooses the transport from the listen addresses' scheme: `memory://` (or none) → the in-memory transport;
 * `tcp://` → TCP (TLS 1.3 unless `tls: false`), with the mode's stream count and congestion control;
 * `ucx://` → UCX, falling back to TCP on the same host and port when the native addon is unavailable.
 */
export function defaultTransport(
  mode: Mode,
  defaults: ModeDefaults,
  listen: readonly string[],
  tls: TlsConfig | false | undefined,
): DefaultTransport {
  const schemes = new Set(listen.map((address) => address.split('://')[0]))
  if (schemes.size === 0 || (schemes.size === 1 && schemes.has('memory')))
    return { factory: memoryTransport({ streams: defaults.transport.streams }) }
  if (schemes.has('memory') || schemes.size > 1)
    throw new ConfigInvalidError(
      'listen',
      'all listen addresses must use one scheme (memory://, tcp:// or ucx://)',
    )
  if (tls === undefined)
    throw new ConfigInvalidError(
      'tls',
      'a network transport needs tls (TLS 1.3 with mutual authentication) or tls: false',
    )
  const tcpInit: TcpTransportInit = {
    tls,
    streams: defaults.transport.streams,
    congestion: defaults.transport.congestion,
  }
  const tcp = tcpTransport(tcpInit)
  if (schemes.has('tcp')) return { factory: tcp }
  if (!schemes.has('ucx')) throw new ConfigInvalidError('listen', `unknown scheme ${[...schemes].join(', ')}`)
  return {
    factory: fallbackTransport({
      primary: ucxTransport({}),
      fallback: tcp,
      translate: (address) => address.replace(/^ucx:\/\//, 'tcp://'),
    }),
    note: mode === 'datacenter' ? undefined : 'ucx requested outside datacenter mode',
  }
}
