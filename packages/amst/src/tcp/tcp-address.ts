import { InvalidArgumentError } from '@dwcp/core'

/** Scheme of TCP addresses: `tcp://host:port` (`tcp://[::1]:port` for IPv6). */
export const TCP_SCHEME = 'tcp://'

/** Parses a `tcp://host:port` address. */
export function parseTcpAddress(address: string): { host: string; port: number } {
  if (typeof address !== 'string' || !address.startsWith(TCP_SCHEME))
    throw new InvalidArgumentError('address', `${String(address)} is not a ${TCP_SCHEME} address`)
  const rest = address.slice(TCP_SCHEME.length)
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(rest)
  const port = Number(match?.[3])
  if (!match || port > 65535)
    throw new InvalidArgumentError('address', `${address}: expected tcp://host:port`)
  return { host: (match[1] ?? match[2]) as string, port }
}

/** Formats a host and port as a `tcp://` address. */
export function formatTcpAddress(host: string, port: number): string {
  return `${TCP_SCHEME}${host.includes(':') ? `[${host}]` : host}:${port}`
}
