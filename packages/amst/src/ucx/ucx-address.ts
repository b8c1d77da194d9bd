import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { InvalidArgumentError } from '@dwcp/core'

/** Scheme of UCX addresses: `ucx://host:port` (`ucx://[::1]:port` for IPv6). */
export const UCX_SCHEME = 'ucx://'

/** Parses a `ucx://host:port` address into the host and port a UCX listener or connection uses. */
export function parseUcxAddress(address: string): { host: string; port: number } {
  if (typeof address !== 'string' || !address.startsWith(UCX_SCHEME))
    throw new InvalidArgumentError('address', `${String(address)} is not a ${UCX_SCHEME} address`)
  const rest = address.slice(UCX_SCHEME.length)
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(rest)
  const port = Number(match?.[3])
  if (!match || port > 65535)
    throw new InvalidArgumentError('address', `${address}: expected ucx://host:port`)
  return { host: (match[1] ?? match[2]) as string, port }
}

/** Formats a host and port as a `ucx://` address. */
export function formatUcxAddress(host: string, port: number): string {
  return `${UCX_SCHEME}${host.includes(':') ? `[${host}]` : host}:${port}`
}

/** The IP address UCX needs for `host` (UCX takes numeric addresses only): the host itself, or its DNS answer. */
export async function resolveUcxHost(host: string): Promise<string> {
  if (isIP(host) !== 0) return host
  return (await lookup(host)).address
}
