import {
  fallbackTransport,
  memoryTransport,
  schemeTransport,
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
 * Chooses the transport from the listen addresses' schemes: `memory://` (or none) → the in-memory transport;
 * `tcp://` → TCP (TLS 1.3 unless `tls: false`), with the mode's stream count and congestion control;
 * `ucx://` → UCX, falling back to TCP on the same host and port when the native addon is unavailable. A node
 * may listen on `tcp://` and `ucx://` at once: each address is served, and each peer dialled, on its scheme.
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
  if (schemes.has('memory'))
    throw new ConfigInvalidError('listen', 'memory:// addresses cannot be mixed with tcp:// or ucx://')
  const unknown = [...schemes].filter((scheme) => scheme !== 'tcp' && scheme !== 'ucx')
  if (unknown.length > 0) throw new ConfigInvalidError('listen', `unknown scheme ${unknown.join(', ')}`)
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
  const ucx = fallbackTransport({
    primary: ucxTransport({}),
    fallback: tcp,
    translate: (address) => address.replace(/^ucx:\/\//, 'tcp://'),
  })
  const note =
    schemes.has('ucx') && mode !== 'datacenter' ? 'ucx requested outside datacenter mode' : undefined
  if (!schemes.has('ucx')) return { factory: tcp }
  if (!schemes.has('tcp')) return { factory: ucx, ...(note ? { note } : {}) }
  return { factory: schemeTransport({ schemes: { tcp, ucx } }), ...(note ? { note } : {}) }
}
