/**
 * The transport a config asks for. It makes the same choice as `createNode`'s default (default-transport.ts:
 * `tcp://` → TCP, `ucx://` → UCX falling back to TCP on the same host and port; `memory://` is left to the
 * default) and adds the keys that default does not take: `transport.rdma_device` (UCX's devices),
 * `transport.streams` (the most streams a TCP session may have, and the lanes a UCX session opens) and
 * `transport.tcp_streams` (the streams a dialled TCP session opens with).
 */

import { existsSync } from 'node:fs'
import { fallbackTransport, type TlsConfig, tcpTransport, ucxTransport } from '@dwcp/amst'
import type { TransportFactory } from '@dwcp/core'
import type { DwcpConfig } from '../config/types.js'

/** Most lanes a UCX session may have (the UCX transport's own limit). */
export const UCX_LANES_MAX = 255

/** Where the kernel lists InfiniBand devices. */
const INFINIBAND_CLASS = '/sys/class/infiniband'

/**
 * UCX's name for `device`: UCX names InfiniBand ports `device:port`, and older UCX releases match nothing for a
 * bare `mlx5_0`; a device the kernel lists as InfiniBand without a port therefore means its port 1. Other
 * names (`lo`, `eth0`, `mlx5_0:2`) pass as written.
 */
export function ucxNetDevices(device: string, infinibandClass = INFINIBAND_CLASS): string {
  if (device.includes(':')) return device
  return existsSync(`${infinibandClass}/${device}`) ? `${device}:1` : device
}

/**
 * The transport factory for `config`'s listen addresses, or undefined for `memory://` (and no addresses), where
 * `createNode`'s default with the config's tuning is what the config asks for.
 */
export function configTransport(config: DwcpConfig, tls: TlsConfig | false): TransportFactory | undefined {
  const scheme = config.cluster.listen?.[0]?.split('://')[0]
  if (scheme !== 'tcp' && scheme !== 'ucx') return undefined
  const { transport } = config
  const tcp = tcpTransport({
    tls,
    streams: transport.tcpStreams,
    maxStreams: transport.streams,
    congestion: transport.congestionAlgorithm,
  })
  if (scheme === 'tcp') return tcp
  const lanes = Math.min(transport.streams, UCX_LANES_MAX)
  return fallbackTransport({
    primary: ucxTransport({
      ...(transport.rdmaDevice === undefined ? {} : { netDevices: ucxNetDevices(transport.rdmaDevice) }),
      streams: lanes,
      maxStreams: lanes,
    }),
    fallback: tcp,
    translate: (address) => address.replace(/^ucx:\/\//, 'tcp://'),
  })
}
