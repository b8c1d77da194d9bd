import { callApi } from './client.js'
import { type Command, expectWords, print, UsageError } from './command.js'

type R = Record<string, unknown>

/** `dwcp status`: who, mode, version, uptime, peers, consensus and storage, one `Key: value` per line. */
export async function statusVerb(command: Command): Promise<void> {
  expectWords(command, [], 'dwcp status')
  const result = await callApi(command.client, 'GET', '/v1/status')
  print(command, result, (r) => {
    const consensus = (r.consensus ?? {}) as R
    const details = (consensus.details ?? {}) as R
    const members = Array.isArray(consensus.members) ? (consensus.members as R[]).map((m) => m.id) : []
    const storage = (r.storage ?? {}) as R
    const storagePath = ((storage.details ?? {}) as R).path
    return [
      `Node:      ${r.nodeId} (cluster ${r.clusterId})`,
      `Mode:      ${r.mode}${r.modeForced ? ' (forced)' : ''}`,
      `Version:   ${r.version}`,
      `Health:    ${r.status}`,
      `Uptime:    ${r.uptimeSeconds}s`,
      `Peers:     ${(r.peers as string[]).join(', ') || 'none'}`,
      consensus.status === 'absent'
        ? `Consensus: none (${consensus.reason})`
        : `Consensus: ${consensus.implementation} (${details.role ?? '?'}), leader ${consensus.leader ?? 'unknown'}, ` +
          `term ${details.term ?? '?'}, commit ${details.commitIndex ?? '?'}, members ${members.join(', ')}`,
      storage.status === 'absent'
        ? `Storage:   none (${storage.reason})`
        : `Storage:   ${storage.implementation ?? storage.status} ${storagePath ?? ''}`.trimEnd(),
    ]
  })
}

/** `dwcp version`. */
export async function versionVerb(command: Command): Promise<void> {
  expectWords(command, [], 'dwcp version')
  const result = await callApi(command.client, 'GET', '/v1/version')
  print(command, result, (r) => [`dwcp ${r.version} (server on Node.js ${r.node})`])
}

/** `dwcp debug latency [--trace]` and `dwcp debug transport [--mode=rdma]`. */
export async function debugVerb(command: Command): Promise<void> {
  const [what] = command.args
  if (what === 'latency' && command.args.length === 1) {
    const result = await callApi(
      command.client,
      'GET',
      `/v1/debug/latency${command.values.trace ? '?trace=1' : ''}`,
    )
    print(command, result, (r) => {
      const peers = r.peers as R[]
      if (peers.length === 0) return [`${r.nodeId} (${r.mode}): no connected peers, nothing to measure`]
      return peers.flatMap((p) => {
        const samples = p.samples as R[]
        const forecast = p.forecast as R
        return [
          `${p.peer}:`,
          ...samples.map(
            (s) =>
              `  sample rtt ${num(s.rttMs)} ms, bandwidth ${mbps(s.bandwidthBps)}, loss ${num(s.lossRate)}`,
          ),
          forecast && 'rttMs' in forecast
            ? `  forecast (${forecast.model}) rtt ${num(forecast.rttMs)} ms, bandwidth ${mbps(forecast.bandwidthBps)}, confidence ${num(forecast.confidence)}`
            : `  forecast unavailable: ${forecast?.unavailable}`,
        ]
      })
    })
    return
  }
  if (what === 'transport' && command.args.length === 1) {
    const mode = command.values.mode ?? 'rdma'
    const result = await callApi(
      command.client,
      'GET',
      `/v1/debug/transport?mode=${encodeURIComponent(mode)}`,
    )
    print(command, result, (r) => {
      const transport = (r.transport ?? {}) as R
      const rdma = r.rdma as R | undefined
      const applied = (r.applied ?? {}) as R
      const sessions = (r.sessions ?? []) as R[]
      return [
        `Transport: ${transport.implementation ?? 'unknown'} (${transport.status}${transport.reason ? `: ${transport.reason}` : ''})`,
        `TCP streams per dialled session: ${applied.tcpStreams} (at most ${applied.streamsMax}); sessions: ${sessions.length}${applied.connectionsMax ? ` of at most ${applied.connectionsMax}` : ''}`,
        ...sessions.map((s) => `  ${s.peer} (${s.scheme}): ${s.streams} streams`),
        ...(rdma
          ? [
              `Native addon: ${yesNo(rdma.addon as R)}`,
              `UCX: ${yesNo(rdma.ucx as R)}`,
              `RDMA devices (verbs): ${deviceNames((rdma.verbs as R).devices)}`,
              `RDMA devices (sysfs): ${(rdma.sysfsDevices as string[]).join(', ') || 'none'}`,
              `RDMA in use: ${rdma.inUse ? 'yes' : 'no'}`,
              `${rdma.explanation}`,
            ]
          : []),
      ]
    })
    return
  }
  throw new UsageError('dwcp debug latency [--trace] | dwcp debug transport [--mode=rdma]')
}

/** `dwcp stats compression [--detailed]`. */
export async function statsVerb(command: Command): Promise<void> {
  expectWords(command, ['compression'], 'dwcp stats compression [--detailed]')
  const query = command.values.detailed ? '?detailed=1' : ''
  const result = await callApi(command.client, 'GET', `/v1/stats/compression${query}`)
  print(command, result, (r) => [
    `Codec: ${r.codec}`,
    `Ratio: ${typeof r.ratio === 'number' ? `${r.ratio.toFixed(2)}x` : 'no data compressed yet'}`,
    `Bytes: ${r.bytesOriginal} original, ${r.bytesCompressed} compressed`,
    ...(command.values.detailed
      ? [
          `Configured: ${JSON.stringify(r.configured)}`,
          ...((r.metrics as R[]) ?? []).map((m) => `  ${m.name}${m.labels} ${m.value}`),
          r.adaptive === null
            ? 'Adaptive codec: not in use (a fixed codec serves this node)'
            : `Adaptive codec: ${JSON.stringify(r.adaptive, null, 2)}`,
        ]
      : []),
  ])
}

function yesNo(part: R): string {
  if (part.available) return `available${part.path ? ` (${part.path})` : ''}`
  const missing = Array.isArray(part.missing) ? ` (missing ${part.missing.join(', ')})` : ''
  return `unavailable${part.reason ? `: ${part.reason}` : missing}`
}

function deviceNames(devices: unknown): string {
  if (!Array.isArray(devices) || devices.length === 0) return 'none'
  return devices.map((d) => String((d as R).name ?? JSON.stringify(d))).join(', ')
}

function num(value: unknown): string {
  return typeof value === 'number' ? String(Math.round(value * 1000) / 1000) : '?'
}

function mbps(bps: unknown): string {
  return typeof bps === 'number' ? `${(bps / 1e6).toFixed(1)} Mbit/s` : '?'
}
