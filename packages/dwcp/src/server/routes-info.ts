import { readdir } from 'node:fs/promises'
import type { ServerContext } from './context.js'
import type { Reply } from './http-io.js'
import { probeNativeRdma } from './native-probe.js'

/** `GET /v1/version`. */
export function version(ctx: ServerContext): Record<string, unknown> {
  return { name: 'dwcp', version: ctx.version, node: process.version }
}

/** `GET /v1/status`: who this node is, how long it runs, its peers, consensus and storage. */
export function status(ctx: ServerContext): Record<string, unknown> {
  const health = ctx.node.health()
  const consensus = health.components.consensus
  let members: unknown = null
  let leader: string | null = null
  const regions = new Map(ctx.config.cluster.members.map((member) => [member.id, member.region]))
  try {
    // The configured region is each member's site (hybrid mode's Raft runs within one).
    members = ctx.node.consensus
      .members()
      .map((member) => ({ ...member, ...(regions.get(member.id) ? { region: regions.get(member.id) } : {}) }))
    leader = ctx.node.consensus.leader() ?? null
  } catch {
    // No consensus on this node: the status says so through `consensus.status`.
  }
  return {
    nodeId: ctx.node.nodeId,
    clusterId: ctx.node.clusterId,
    mode: ctx.node.mode,
    modeForced: health.modeForced,
    version: ctx.version,
    status: health.status,
    uptimeSeconds: Math.round((Date.now() - ctx.startedAtMs) / 1000),
    peers: ctx.node.peers(),
    addresses: ctx.node.addresses(),
    consensus: { ...consensus, members, leader },
    storage: health.components.storage,
    transport: health.components.transport,
    codec: health.components.codec,
  }
}

/** How many samples `debug latency --trace` takes per peer, and how far apart. */
const TRACE_SAMPLES = 5
const TRACE_INTERVAL_MS = 100

/** `GET /v1/debug/latency[?trace=1]`: each peer's measured path and the predictor's forecast. */
export async function debugLatency(
  ctx: ServerContext,
  url: URL,
  reply: Reply,
): Promise<Record<string, unknown>> {
  const trace = ['1', 'true'].includes(url.searchParams.get('trace') ?? '')
  const peers = ctx.node.peers()
  const report: Record<string, unknown>[] = []
  for (const peer of peers) {
    const session = ctx.node.session(peer)
    const samples = []
    const count = trace ? TRACE_SAMPLES : 1
    for (let i = 0; i < count && session && !session.closed; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, TRACE_INTERVAL_MS))
      samples.push(session.sample())
      if (trace) reply.progress(`sampled ${peer} (${i + 1}/${count})`)
    }
    let forecast: unknown = null
    try {
      forecast = ctx.node.predict(peer)
    } catch (error) {
      forecast = { unavailable: (error as Error).message }
    }
    report.push({ peer, samples, forecast })
  }
  return { nodeId: ctx.node.nodeId, mode: ctx.node.mode, trace, peers: report }
}

/** Where the kernel lists RDMA devices (what `ibv_devices` reads). */
const INFINIBAND_CLASS = '/sys/class/infiniband'

/**
 * `GET /v1/debug/transport[?mode=rdma]`: the transport serving the node, its configured tuning and every open
 * session's stream count, and what RDMA this host has.
 */
export async function debugTransport(ctx: ServerContext, url: URL): Promise<Record<string, unknown>> {
  const transport = ctx.node.health().components.transport
  const result: Record<string, unknown> = {
    nodeId: ctx.node.nodeId,
    transport,
    configured: { ...ctx.config.transport, connectionsMax: ctx.sessions.settings.connectionsMax ?? null },
    applied: { ...ctx.sessions.settings, sessionsRefused: ctx.sessions.refused },
    sessions: ctx.sessions.sessions(),
  }
  if ((url.searchParams.get('mode') ?? 'rdma') === 'rdma') {
    const sysfsDevices = await readdir(INFINIBAND_CLASS).catch(() => [] as string[])
    const details = (transport?.details ?? {}) as Record<string, unknown>
    const implementation = transport?.implementation ?? 'unknown'
    const native = probeNativeRdma()
    result.rdma = {
      sysfsDevices,
      ...native,
      inUse: details.rdma === true,
      serving: implementation,
      explanation: !native.verbs.available
        ? `RDMA is not usable here: ${native.verbs.reason ?? 'no device'}` +
          (native.ucx.available ? '; UCX can still run over tcp/shm' : '')
        : implementation === 'ucx'
          ? 'RDMA devices are usable and the UCX transport serves this node'
          : `RDMA devices are usable, but this node runs the ${implementation} transport: listen on ucx:// addresses to use them`,
    }
  }
  return result
}

/** Metric names `stats compression` reads from the registry. */
const COMPRESSION_METRICS = [
  'dwcp_hde_compression_ratio',
  'dwcp_hde_bytes_original_total',
  'dwcp_hde_bytes_compressed_total',
  'dwcp_hde_delta_hit_rate',
  'dwcp_hde_ml_algorithm_usage',
]

/** `GET /v1/stats/compression[?detailed=1]`: the codec, its measured ratio, and the adaptive codec's learner. */
export async function statsCompression(ctx: ServerContext, url: URL): Promise<Record<string, unknown>> {
  const detailed = ['1', 'true'].includes(url.searchParams.get('detailed') ?? '')
  const codec = ctx.node.codec as { name: string; snapshot?: () => unknown }
  const samples = ctx.metrics ? parseSamples(await ctx.metrics.render(), COMPRESSION_METRICS) : []
  const sum = (name: string) => samples.filter((s) => s.name === name).reduce((a, s) => a + s.value, 0)
  const original = sum('dwcp_hde_bytes_original_total')
  const compressed = sum('dwcp_hde_bytes_compressed_total')
  return {
    codec: codec.name,
    configured: ctx.config.compression,
    bytesOriginal: original,
    bytesCompressed: compressed,
    ratio: compressed > 0 ? original / compressed : null,
    ...(detailed
      ? {
          metrics: samples,
          adaptive: typeof codec.snapshot === 'function' ? codec.snapshot() : null,
        }
      : {}),
  }
}

/** Samples of the named metrics from the Prometheus text format. */
function parseSamples(
  text: string,
  names: readonly string[],
): { name: string; labels: string; value: number }[] {
  const out = []
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(\{[^}]*\})?\s+(\S+)/.exec(line)
    if (!match || !names.includes(match[1] as string)) continue
    out.push({ name: match[1] as string, labels: match[2] ?? '', value: Number(match[3]) })
  }
  return out
}
