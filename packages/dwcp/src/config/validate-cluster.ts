/**
 * `cluster`: who this node is, where it listens and which members it forms a cluster with. Addresses are
 * `scheme://host:port` (`[v6]` in brackets); a missing port takes the runbook's port for what runs there:
 * 4789 for `ucx://` (RDMA), 5000 for `tcp://` under Raft, 6000 for `tcp://` under PBFT.
 */

import { ConfigInvalidError, type Mode } from '@dwcp/core'
import { MEMBER_KEYS } from './schema-keys.js'
import { SectionReader } from './section-reader.js'
import { describeValue } from './suggest.js'
import type { ClusterConfig, ConsensusConfig, MemberConfig } from './types.js'
import { isHost } from './validate-operations.js'
import { checkReplicaCount, type Warn } from './validate-protocol.js'

/** Ids of nodes and clusters: what `createNode` accepts. */
const ID = /^[A-Za-z0-9._-]{1,128}$/
const ID_NAME = '1..128 of [A-Za-z0-9._-]'

/** Runbook ports by role. */
export const DEFAULT_PORTS = Object.freeze({ rdma: 4789, raft: 5000, pbft: 6000 })

const ADDRESS = /^(tcp|ucx|memory):\/\/(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9._-]+))(?::(\d{1,5}))?$/

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

function schemeOf(address: string): string {
  return address.slice(0, address.indexOf('://'))
}

function readMembers(section: SectionReader, consensus: ConsensusConfig): MemberConfig[] {
  const value = section.rawValue('members')
  const keyPath = section.keyPath('members')
  if (value === undefined || value === null) return []
  if (!Array.isArray(value))
    throw new ConfigInvalidError(
      keyPath,
      `expected a list of {id, address, region}, got ${describeValue(value)}`,
    )
  if (value.length > 1000)
    throw new ConfigInvalidError(keyPath, `expected at most 1000 members, got ${value.length}`)
  const seenIds = new Map<string, number>()
  const seenAddresses = new Map<string, number>()
  return value.map((item, index) => {
    const entry = SectionReader.open(item, `${keyPath}[${index}]`, MEMBER_KEYS)
    const id = entry.string('id', ID, ID_NAME)
    const written = entry.string('address')
    if (id === undefined) throw new ConfigInvalidError(entry.keyPath('id'), 'required')
    if (written === undefined) throw new ConfigInvalidError(entry.keyPath('address'), 'required')
    const address = readAddress(written, entry.keyPath('address'), consensus.mechanism)
    const region = entry.string('region', /^[A-Za-z0-9._-]{1,64}$/, 'a region label like us-west-2')
    for (const [seen, key, text] of [
      [seenIds, 'id', id],
      [seenAddresses, 'address', address],
    ] as const) {
      const first = seen.get(text)
      if (first !== undefined)
        throw new ConfigInvalidError(
          entry.keyPath(key),
          `duplicate of ${keyPath}[${first}].${key} (${JSON.stringify(text)})`,
        )
      seen.set(text, index)
    }
    return { id, address, ...(region === undefined ? {} : { region }) }
  })
}

/**
 * Reads `cluster`. A member list forming a new cluster must contain this node (by `node_id`); one being
 * joined must not. An explicit `consensus.replica_count` must equal the member count; without one the member
 * count is the replica count (and must suit the mechanism).
 */
export function readCluster(
  root: SectionReader,
  mode: Mode,
  consensus: ConsensusConfig,
  replicaCountWritten: boolean,
  warn: Warn,
): { cluster: ClusterConfig; replicaCount: number } {
  const section = root.section('cluster')
  const nodeId = section.string('node_id', ID, ID_NAME)
  const clusterId = section.string('cluster_id', ID, ID_NAME) ?? 'default'
  const dataDir = section.filePath('data_dir') ?? '/var/lib/dwcp'
  const joining = section.boolean('joining') ?? false
  const listen = section
    .stringList('listen')
    ?.map((address, index) =>
      readAddress(address, `${section.keyPath('listen')}[${index}]`, consensus.mechanism),
    )
  const schemes = new Set(listen?.map(schemeOf))
  if (schemes.size > 1)
    throw new ConfigInvalidError(
      section.keyPath('listen'),
      `mixes schemes ${[...schemes].join(', ')}; use one`,
    )
  if (schemes.has('ucx') && mode === 'internet')
    warn(section.keyPath('listen'), 'ucx:// in internet mode: UCX needs RDMA or a local network')
  const members = readMembers(section, consensus)
  const membersPath = section.keyPath('members')
  members.forEach((member, index) => {
    const scheme = schemeOf(member.address)
    if (schemes.size === 1 && !schemes.has(scheme))
      throw new ConfigInvalidError(
        `${membersPath}[${index}].address`,
        `uses ${scheme}:// but cluster.listen uses ${[...schemes][0]}://`,
      )
  })
  let replicaCount = consensus.replicaCount
  if (members.length > 0) {
    if (nodeId === undefined)
      throw new ConfigInvalidError(
        section.keyPath('node_id'),
        'required with cluster.members (the node finds itself by it)',
      )
    const listed = members.some((member) => member.id === nodeId)
    if (!joining && !listed)
      throw new ConfigInvalidError(
        section.keyPath('node_id'),
        `${nodeId} is not in cluster.members; a new cluster lists every voter, this node included (or set cluster.joining: true)`,
      )
    if (joining && listed)
      throw new ConfigInvalidError(
        section.keyPath('node_id'),
        `${nodeId} is in cluster.members, but a joining node lists only the members it joins`,
      )
    if (!joining && (consensus.mechanism === 'raft' || consensus.mechanism === 'pbft')) {
      if (replicaCountWritten && consensus.replicaCount !== members.length)
        throw new ConfigInvalidError(
          'consensus.replica_count',
          `${consensus.replicaCount} does not match the ${members.length} entries of cluster.members`,
        )
      checkReplicaCount(consensus.mechanism, members.length, membersPath, warn)
      replicaCount = members.length
    }
  }
  return {
    cluster: {
      ...(nodeId === undefined ? {} : { nodeId }),
      clusterId,
      dataDir,
      ...(listen === undefined ? {} : { listen }),
      joining,
      members,
    },
    replicaCount,
  }
}
