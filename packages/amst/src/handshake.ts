import { HandshakeRejectedError, isMode, type NodeIdentity } from '@dwcp/core'

/** Version of the session protocol; a peer speaking another major version is rejected. */
export const PROTOCOL_VERSION = 1

/** Longest node or cluster id accepted in a handshake. */
export const MAX_ID_LENGTH = 128

/**
 * Checks the identity a peer sent in the handshake against our own and fails closed: anything unknown,
 * malformed or from another cluster is rejected with {@link HandshakeRejectedError}.
 */
export function checkPeerIdentity(local: NodeIdentity, remote: unknown, remoteVersion: number): NodeIdentity {
  if (remoteVersion !== PROTOCOL_VERSION)
    throw new HandshakeRejectedError(`protocol version ${remoteVersion} is not ${PROTOCOL_VERSION}`)
  if (typeof remote !== 'object' || remote === null) throw new HandshakeRejectedError('identity missing')
  const r = remote as Record<string, unknown>
  for (const key of ['nodeId', 'clusterId'] as const) {
    const value = r[key]
    if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ID_LENGTH)
      throw new HandshakeRejectedError(`${key} must be a string of 1..${MAX_ID_LENGTH} characters`)
  }
  if (!isMode(r.mode)) throw new HandshakeRejectedError(`unknown mode ${String(r.mode)}`)
  const caps = r.capabilities as Record<string, unknown> | undefined
  if (
    typeof caps !== 'object' ||
    caps === null ||
    !Array.isArray(caps.codecs) ||
    !caps.codecs.every((c) => typeof c === 'string') ||
    !Number.isInteger(caps.maxStreams) ||
    (caps.maxStreams as number) < 1 ||
    typeof caps.rdma !== 'boolean'
  )
    throw new HandshakeRejectedError('malformed capabilities')
  if (r.clusterId !== local.clusterId)
    throw new HandshakeRejectedError(`cluster ${String(r.clusterId)} is not ${local.clusterId}`)
  if (r.nodeId === local.nodeId)
    throw new HandshakeRejectedError(`peer claims our own node id ${local.nodeId}`)
  return {
    nodeId: r.nodeId as string,
    clusterId: r.clusterId as string,
    mode: r.mode,
    capabilities: {
      codecs: [...(caps.codecs as string[])],
      maxStreams: caps.maxStreams as number,
      rdma: caps.rdma,
    },
  }
}
