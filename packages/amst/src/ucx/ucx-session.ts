import type { NodeIdentity, PeerInfo, TransportComponents } from '@dwcp/core'
import { maxPayloadBytes, type SessionLimits } from '../session/limits.js'
import { MultiStreamSession } from '../session/multi-stream-session.js'
import type { UcxEndpointHandle } from './ucx-native.js'
import { UcxLaneProvider } from './ucx-provider.js'
import { LANES_MAX } from './ucx-tags.js'

/** What every session of one UCX transport shares. */
export interface UcxSessionSettings {
  /** Clock, logger, metrics of the transport. */
  components: TransportComponents
  /** Session bounds, complete. */
  limits: SessionLimits
  /** Lanes each side sends on at first. */
  lanes: number
  /** Bytes one lane may have in uncompleted sends before its writes wait. */
  maxInFlightBytesPerLane: number
}

/**
 * Builds the session over an endpoint that passed the handshake: lanes up to the lower of both announced caps
 * (which both sides compute alike), and the session engine every transport shares.
 */
export function openUcxSession(
  id: string,
  endpoint: UcxEndpointHandle,
  remote: PeerInfo,
  local: NodeIdentity,
  settings: UcxSessionSettings,
): { session: MultiStreamSession; provider: UcxLaneProvider } {
  const { components, limits } = settings
  const provider = new UcxLaneProvider({
    endpoint,
    lanesMax: Math.min(local.capabilities.maxStreams, remote.capabilities.maxStreams),
    lanes: settings.lanes,
    maxPayloadBytes: maxPayloadBytes(limits),
    maxInFlightBytesPerLane: settings.maxInFlightBytesPerLane,
  })
  const session = new MultiStreamSession({
    id,
    remote,
    provider,
    transport: 'ucx',
    rdma: provider.usesRdma(),
    clock: components.clock,
    logger: components.logger,
    ...(components.metrics ? { metrics: components.metrics } : {}),
    ...(components.chunkDecoder ? { chunkDecoder: components.chunkDecoder } : {}),
    localMode: () => components.identity().mode,
    limits,
  })
  return { session, provider }
}

/**
 * The identity a node announces on the UCX transport: its own, with the lane cap lowered to `maxLanes` and to
 * the 255 lanes a session can have. Both sides then take the lower of the two announced caps.
 */
export function announcedIdentity(identity: NodeIdentity, maxLanes: number): NodeIdentity {
  const maxStreams = Math.min(identity.capabilities.maxStreams, maxLanes, LANES_MAX)
  return { ...identity, capabilities: { ...identity.capabilities, maxStreams } }
}
