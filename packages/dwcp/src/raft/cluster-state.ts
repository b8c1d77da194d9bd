import { join } from 'node:path'
import { RaftConsensus, RaftReplicator } from '@dwcp/ass-consensus'
import {
  type Clock,
  type ComponentHealth,
  type Consensus,
  InvalidArgumentError,
  type JsonValue,
  type Logger,
  type Member,
  type Metrics,
  type Random,
  type Replicator,
  type StateChange,
  TimeoutError,
} from '@dwcp/core'
import { ChannelPeerLink, type LinkedNode, RAFT_CHANNEL } from '../peer-link.js'
import type { ClusterOptions } from './cluster-options.js'
import { ReopenableStorage } from './reopenable-storage.js'

/**
 * Runs `operation` with the caller's signal and, when `timeoutMs` is set, a deadline on `clock`: past it the
 * operation is aborted and the call rejects with `DWCP_ERR_TIMEOUT` naming it, so a state call cannot wait
 * longer than the configured sync timeout for a quorum.
 */
export async function withDeadline<T>(
  clock: Clock,
  operation: string,
  timeoutMs: number | undefined,
  options: { signal?: AbortSignal } | undefined,
  run: (options: { signal?: AbortSignal }) => Promise<T>,
): Promise<T> {
  if (timeoutMs === undefined) return run(options ?? {})
  const deadline = new AbortController()
  const timer = clock.setTimeout(() => deadline.abort(), timeoutMs)
  const signal = options?.signal ? AbortSignal.any([options.signal, deadline.signal]) : deadline.signal
  try {
    return await run({ signal })
  } catch (error) {
    if (deadline.signal.aborted && !options?.signal?.aborted) throw new TimeoutError(operation, timeoutMs)
    throw error
  } finally {
    clock.clearTimeout(timer)
  }
}

/** Keys under which the replicated state keeps each member's address, so every node can reach every member. */
export const MEMBER_KEY_PREFIX = 'cluster/members/'

/** What {@link clusterState} needs from `createNode`. */
export interface ClusterStateContext {
  nodeId: string
  clusterId: string
  clock: Clock
  random: Random
  logger: Logger
  metrics: Metrics | undefined
  /** The node, once built: the peer link sends over its sessions. */
  node: () => LinkedNode | undefined
}

/** The replicated state, consensus and storage of a node in a Raft cluster. */
export interface ClusterState {
  replicator: Replicator
  consensus: Consensus
  /** Health of `state.db`. */
  storageHealth: () => ComponentHealth
  /** Role, term, leader and indexes, for the consensus health. */
  consensusDetails: () => Record<string, unknown>
}

/**
 * Builds a node's Raft state: one Raft log (RaftHost) carries the linearizable key/value state (the
 * `Replicator`) and the commands proposed through the `Consensus`; its storage is `<dataDir>/state.db`, opened
 * on start and closed on stop; peers are reached over AMST sessions on channel `raft`. Member addresses live in
 * the replicated state (`cluster/members/<id>`), so a member added on the leader becomes reachable from every
 * node.
 */
export function clusterState(options: ClusterOptions, context: ClusterStateContext): ClusterState {
  const electionTimeoutMs = options.electionTimeoutMs ?? 150
  if (!(electionTimeoutMs >= 10))
    throw new InvalidArgumentError(
      'cluster.electionTimeoutMs',
      `must be at least 10 ms, not ${electionTimeoutMs}`,
    )
  const syncTimeoutMs = options.syncTimeoutMs
  if (syncTimeoutMs !== undefined && !(syncTimeoutMs > 0))
    throw new InvalidArgumentError('cluster.syncTimeoutMs', `must be above 0, not ${syncTimeoutMs}`)
  const ids = options.members.map((m) => m.id)
  if (new Set(ids).size !== ids.length)
    throw new InvalidArgumentError('cluster.members', 'a member is listed twice')
  if (options.joining ? ids.includes(context.nodeId) : !ids.includes(context.nodeId))
    throw new InvalidArgumentError(
      'cluster.members',
      options.joining ? 'a joining node must not list itself' : `must include this node (${context.nodeId})`,
    )
  const addresses = new Map(options.members.map((m) => [m.id, m.address]))
  const storage = new ReopenableStorage(join(options.dataDir, 'state.db'), context.nodeId, context.clusterId)
  const link = new ChannelPeerLink(
    RAFT_CHANNEL,
    context.nodeId,
    context.node,
    addresses,
    context.clock,
    context.logger,
  )
  const replicator = new RaftReplicator({
    id: context.nodeId,
    peers: ids,
    storage,
    transport: link,
    clock: context.clock,
    random: context.random,
    tickMs: electionTimeoutMs / 10,
    electionTicks: 10,
    ...(options.snapshotEveryEntries ? { snapshotEveryEntries: options.snapshotEveryEntries } : {}),
    logger: context.logger,
    ...(context.metrics ? { metrics: context.metrics } : {}),
  })
  const host = replicator.host
  replicator.observe(MEMBER_KEY_PREFIX, (change: StateChange) => {
    const id = change.key.slice(MEMBER_KEY_PREFIX.length)
    const address = (change.value as { address?: unknown } | undefined)?.address
    if (typeof address === 'string') addresses.set(id, address)
  })
  const consensus = new RaftConsensus({ host, members: options.members })
  const members = (): Member[] => host.voters.map((id) => ({ id, address: addresses.get(id) ?? '' }))

  const ownedReplicator: Replicator = {
    consistency: replicator.consistency,
    async start(startOptions) {
      storage.openStore()
      try {
        await replicator.start(startOptions)
      } catch (error) {
        storage.close()
        throw error
      }
    },
    async stop(stopOptions) {
      await replicator.stop(stopOptions)
      storage.close()
    },
    get: (key, o) =>
      withDeadline(context.clock, `state get ${key}`, syncTimeoutMs, o, (d) => replicator.get(key, d)),
    set: (key: string, value: JsonValue, o) =>
      withDeadline(context.clock, `state set ${key}`, syncTimeoutMs, o, (d) => replicator.set(key, value, d)),
    delete: (key, o) =>
      withDeadline(context.clock, `state delete ${key}`, syncTimeoutMs, o, (d) => replicator.delete(key, d)),
    observe: (prefix, listener) => replicator.observe(prefix, listener),
  }
  const clusterConsensus: Consensus = {
    protocol: consensus.protocol,
    start: () => consensus.start(),
    stop: () => consensus.stop(),
    propose: (command, o) => consensus.propose(command, o),
    read: (o) => consensus.read(o),
    members,
    // The address goes into the replicated state first, so that every node (a future leader included) can
    // reach the new member; then the voter change.
    async addMember(member, o) {
      addresses.set(member.id, member.address)
      await replicator.set(`${MEMBER_KEY_PREFIX}${member.id}`, { ...member }, o)
      await consensus.addMember(member, o)
    },
    async removeMember(id, o) {
      await consensus.removeMember(id, o)
      await replicator.delete(`${MEMBER_KEY_PREFIX}${id}`, o)
    },
    leader: () => consensus.leader(),
  }
  return {
    replicator: ownedReplicator,
    consensus: clusterConsensus,
    storageHealth: () =>
      storage.open
        ? { status: 'up', implementation: 'sqlite', details: { path: storage.path } }
        : { status: 'down', reason: 'state.db is closed (node stopped)', details: { path: storage.path } },
    consensusDetails: () => ({
      role: host.role,
      term: host.term,
      leader: host.leader ?? null,
      commitIndex: host.commitIndex,
      appliedIndex: host.appliedIndex,
      snapshotIndex: host.snapshotIndex,
      snapshotsInstalled: host.snapshotsInstalled,
      voters: [...host.voters],
    }),
  }
}
