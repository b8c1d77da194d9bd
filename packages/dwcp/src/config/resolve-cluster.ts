/**
 * `cluster` after the schema: who this node is, where it listens and which members it forms a cluster with.
 * Addresses are `scheme://host:port` (`[v6]` in brackets); a missing port takes the runbook's port for what
 * runs there: 4789 for `ucx://` (RDMA), 5000 for `tcp://` under Raft, 6000 for `tcp://` under PBFT.
 */

import { isIP } from 'node:net'
import { ConfigInvalidError, type Mode } from '@dwcp/core'
import { checkReplicaCount, type Warn } from './resolve-protocol.js'
import type { WrittenConfig, WrittenMember } from './schema.js'
import { describeValue } from './suggest.js'
import type { ClusterConfig, ConsensusConfig, MemberConfig } from './types.js'

/** Runbook ports by role. */
export const DEFAULT_PORTS = Object.freeze({ rdma: 4789, raft: 5000, pbft: 6000 })

const ADDRESS = /^(tcp|ucx|memory):\/\/(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9._-]+))(?::(\d{1,5}))?$/

const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/

/** Whether `host` is an IP literal or a DNS name. */
export function isHost(host: string): boolean {
  return isIP(host) !== 0 || HOSTNAME.test(host)
}

/** Parses and completes one address; `memory://name` addresses have no port. */
export function readAddress(
  address: string,
  keyPath: string,
  consensus: ConsensusConfig['mechanism'],
): string {
  const match = ADDRESS.exec(address)
  if (!match)
    throw new ConfigInvalidError(
      keyPath,
      `expected scheme://host:port with scheme tcp, ucx or memory (e.g. tcp://10.0.1.51:5000), got ${describeValue(address)}`,
    )
  const [, scheme, v6, host, portText] = match
  if (scheme === 'memory') {
    if (portText !== undefined || v6 !== undefined)
      throw new ConfigInvalidError(keyPath, `expected memory://name, got ${describeValue(address)}`)
    return address
  }
  if (v6 === undefined && !isHost(host as string))
    throw new ConfigInvalidError(keyPath, `${host} is not an IP address or host name`)
  const port =
    portText === undefined
      ? scheme === 'ucx'
        ? DEFAULT_PORTS.rdma
        : consensus === 'pbft'
          ? DEFAULT_PORTS.pbft
          : DEFAULT_PORTS.raft
      : Number(portText)
  if (port < 1 || port > 65535) throw new ConfigInvalidError(keyPath, `port ${port} is outside 1..65535`)
  return `${scheme}://${v6 === undefined ? host : `[${v6}]`}:${port}`
}

/** The scheme of an address as written (`tcp` of `tcp://…`), for checks made before addresses are read. */
export function schemeOf(address: string): string {
  return address.slice(0, Math.max(0, address.indexOf('://')))
}

function readMembers(members: readonly WrittenMember[], consensus: ConsensusConfig): MemberConfig[] {
  const seenIds = new Map<string, number>()
  const seenAddresses = new Map<string, number>()
  return members.map((member, index) => {
    const at = `cluster.members[${index}]`
    const address = readAddress(member.address, `${at}.address`, consensus.mechanism)
    for (const [seen, key, text] of [
      [seenIds, 'id', member.id],
      [seenAddresses, 'address', address],
    ] as const) {
      const first = seen.get(text)
      if (first !== undefined)
        throw new ConfigInvalidError(
          `${at}.${key}`,
          `duplicate of cluster.members[${first}].${key} (${JSON.stringify(text)})`,
        )
      seen.set(text, index)
    }
    return {
      id: member.id,
      address,
      ...(member.region === undefined ? {} : { region: member.region }),
      ...(member.public_key_file === undefined ? {} : { publicKeyFile: member.public_key_file }),
    }
  })
}

/**
 * PBFT signs with Ed25519: with members it needs this member's private key and every member's public key;
 * without PBFT the key files would be read by nothing, so they are refused.
 */
function checkPbftKeys(members: readonly MemberConfig[], consensus: ConsensusConfig): void {
  const pbft = consensus.mechanism === 'pbft' && members.length > 0
  if (!pbft) {
    if (consensus.privateKeyFile !== undefined)
      throw new ConfigInvalidError(
        'consensus.private_key_file',
        'used by PBFT only (internet mode with cluster.members)',
      )
    const index = members.findIndex((member) => member.publicKeyFile !== undefined)
    if (index >= 0)
      throw new ConfigInvalidError(
        `cluster.members[${index}].public_key_file`,
        'used by PBFT only (internet mode)',
      )
    return
  }
  if (consensus.privateKeyFile === undefined)
    throw new ConfigInvalidError(
      'consensus.private_key_file',
      "required with PBFT and cluster.members: this member's Ed25519 private key (PEM), which signs its PBFT messages",
    )
  const index = members.findIndex((member) => member.publicKeyFile === undefined)
  if (index >= 0)
    throw new ConfigInvalidError(
      `cluster.members[${index}].public_key_file`,
      "required with PBFT: the member's Ed25519 public key (PEM), which checks its PBFT messages",
    )
}

/**
 * Hybrid mode's preset runs Raft in a site and CRDT sync and PBFT across sites; the across-site part is not
 * built, so members in more than one site (region) are refused unless Raft across them is asked for.
 */
function checkSites(mode: Mode, members: readonly MemberConfig[], consensus: ConsensusConfig): void {
  if (mode !== 'hybrid' || consensus.mechanism === 'raft') return
  const sites = new Set(members.map((member) => member.region ?? '(no region)'))
  if (sites.size > 1)
    throw new ConfigInvalidError(
      'cluster.members',
      `span ${sites.size} sites (${[...sites].join(', ')}), and the across-site part of hybrid mode (CRDT sync and PBFT between sites) is not built in this release: list the members of this node's site, or set consensus.mechanism: raft to run one Raft group across the sites`,
    )
}

/**
 * Resolves `cluster`. A member list forming a new cluster must contain this node (by `node_id`); one being
 * joined must not, and only Raft can be joined. An explicit `consensus.replica_count` must equal the member
 * count; without one the member count is the replica count (and must suit the mechanism).
 */
export function resolveCluster(
  written: WrittenConfig,
  mode: Mode,
  consensus: ConsensusConfig,
  warn: Warn,
): { cluster: ClusterConfig; replicaCount: number } {
  const section = written.cluster ?? {}
  const nodeId = section.node_id
  const joining = section.joining ?? false
  const listen = section.listen?.map((address: string, index: number) =>
    readAddress(address, `cluster.listen[${index}]`, consensus.mechanism),
  )
  const schemes = new Set(listen?.map(schemeOf))
  if (schemes.size > 1)
    throw new ConfigInvalidError('cluster.listen', `mixes schemes ${[...schemes].join(', ')}; use one`)
  if (schemes.has('ucx') && mode === 'internet')
    warn('cluster.listen', 'ucx:// in internet mode: UCX needs RDMA or a local network')
  const members = readMembers(section.members ?? [], consensus)
  members.forEach((member, index) => {
    const scheme = schemeOf(member.address)
    if (schemes.size === 1 && !schemes.has(scheme))
      throw new ConfigInvalidError(
        `cluster.members[${index}].address`,
        `uses ${scheme}:// but cluster.listen uses ${[...schemes][0]}://`,
      )
  })
  let replicaCount = consensus.replicaCount
  if (members.length > 0) {
    if (nodeId === undefined)
      throw new ConfigInvalidError(
        'cluster.node_id',
        'required with cluster.members (the node finds itself by it)',
      )
    const listed = members.some((member) => member.id === nodeId)
    if (joining && mode === 'internet')
      throw new ConfigInvalidError(
        'cluster.joining',
        'internet mode has no membership change in this release (PBFT fixes its replicas): list every member, this one included',
      )
    if (!joining && !listed)
      throw new ConfigInvalidError(
        'cluster.node_id',
        `${nodeId} is not in cluster.members; a new cluster lists every voter, this node included (or set cluster.joining: true)`,
      )
    if (joining && listed)
      throw new ConfigInvalidError(
        'cluster.node_id',
        `${nodeId} is in cluster.members, but a joining node lists only the members it joins`,
      )
    if (!joining) {
      if (written.consensus?.replica_count !== undefined && consensus.replicaCount !== members.length)
        throw new ConfigInvalidError(
          'consensus.replica_count',
          `${consensus.replicaCount} does not match the ${members.length} entries of cluster.members`,
        )
      checkReplicaCount(consensus.mechanism, members.length, 'cluster.members', warn)
      replicaCount = members.length
    }
  }
  checkPbftKeys(members, consensus)
  checkSites(mode, members, consensus)
  return {
    cluster: {
      ...(nodeId === undefined ? {} : { nodeId }),
      clusterId: section.cluster_id ?? 'default',
      dataDir: section.data_dir ?? '/var/lib/dwcp',
      ...(listen === undefined ? {} : { listen }),
      joining,
      members,
    },
    replicaCount,
  }
}
