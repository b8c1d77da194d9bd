import {
  fallbackTransport,
  memoryTransport,
  schemeTransport,
  type TcpTransportInit,
  type TlsConfig,
  tcpTransport,
  UCX_LANES_MAX,
  ucxNetDevices,
  ucxTransport,
} from '@dwcp/amst'
import { ComponentAbsentError, ConfigInvalidError, type Mode, type TransportFactory } from '@dwcp/core'
import type { ModeDefaults } from './mode-defaults.js'

/** What only network transports take: the per-session stream cap and the RDMA device. */
export interface NetworkTuning {
  /** Most streams a session may have (TCP streams; UCX lanes, within UCX's limit). @default 64 */
  maxStreams?: number
  /** The RDMA device UCX uses (`mlx5_0`: its port 1; `mlx5_0:2`; an interface name). @default UCX's choice */
  rdmaDevice?: string
}

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
  network: NetworkTuning = {},
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
  const { maxStreams } = network
  const tcpInit: TcpTransportInit = {
    tls,
    streams: defaults.transport.streams,
    congestion: defaults.transport.congestion,
    ...(maxStreams === undefined ? {} : { maxStreams }),
  }
  const tcp = tcpTransport(tcpInit)
  // UCX lanes: as many as TCP streams, within UCX's own limit.
  const lanesMax = Math.min(maxStreams ?? 64, UCX_LANES_MAX)
  // UCX has no TLS: with TLS configured, ucx:// addresses are served by TCP with TLS (health says so, degraded),
  // never by UCX in plaintext. A trusted RDMA fabric sets `tls: false` to use UCX.
  const tlsOn = tls !== false && tls.enabled !== false
  const ucx = fallbackTransport({
    primary: tlsOn
      ? () => {
          throw new ComponentAbsentError(
            'ucx',
            'UCX carries no TLS and TLS is configured: ucx:// is served over TCP with TLS (tls: false uses UCX on a trusted fabric)',
          )
        }
      : ucxTransport({
          streams: Math.min(defaults.transport.streams, lanesMax),
          maxStreams: lanesMax,
          ...(network.rdmaDevice === undefined ? {} : { netDevices: ucxNetDevices(network.rdmaDevice) }),
        }),
    fallback: tcp,
    translate: (address) => address.replace(/^ucx:\/\//, 'tcp://'),
  })
  const note =
    schemes.has('ucx') && mode !== 'datacenter' ? 'ucx requested outside datacenter mode' : undefined
  if (!schemes.has('ucx')) return { factory: tcp }
  if (!schemes.has('tcp')) return { factory: ucx, ...(note ? { note } : {}) }
  return { factory: schemeTransport({ schemes: { tcp, ucx } }), ...(note ? { note } : {}) }
}
