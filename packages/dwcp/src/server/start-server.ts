import { readFileSync } from 'node:fs'
import { createServer as createHttpServer, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { resolveTlsConfig, serverTlsOptions, type TlsConfig } from '@dwcp/amst'
import { ConfigInvalidError, InvalidArgumentError } from '@dwcp/core'
import { createObservabilityHandler, type PrometheusMetrics, prometheusMetrics } from '@dwcp/metrics'
import { loadConfigFiles } from '../config/load-config.js'
import { toNodeOptions } from '../config/to-node-options.js'
import type { DwcpConfig } from '../config/types.js'
import { readPbftKeyFiles } from '../crdt/pbft-key-files.js'
import { createNode } from '../create-node.js'
import { drain } from '../migration/drain.js'
import type { DwcpNode } from '../node.js'
import type { StopOptions } from '../node-options.js'
import type { DrainReport, ServerContext } from './context.js'
import { HttpError } from './http-io.js'
import { type JsonLogger, jsonLogger } from './json-logger.js'
import { PLACEMENT_PREFIX, PlacementIndex } from './rebalance-plan.js'
import { createApiHandler } from './router.js'
import { ServerWorkloads } from './server-workloads.js'
import { SessionPolicy } from './session-policy.js'
import { defaultTracesDirectory, type Trainer, workerTrainer } from './trainer.js'
import { packageVersion } from './version.js'

/** Most connections each API port holds at once: an operator's API, not a public service. */
const MAX_API_CONNECTIONS = 256

/** Options of {@link startServer}: a configuration, or the files to read it from. */
export interface StartServerOptions {
  /** A validated configuration (e.g. from `parseConfig`); `config set` then changes it in memory only. */
  config?: DwcpConfig
  /** Files to load (merged in order, as `dwcp server --config a.yaml,b.yaml`); `config set` writes back. */
  configPath?: string | readonly string[]
  /** Ports instead of `server.http_port` / `server.https_port`; 0 picks a free one (tests, embedding). */
  ports?: { http?: number; https?: number }
  /** Logger. @default JSON lines at `logging.level` to `logging.file` or standard output */
  logger?: JsonLogger
  /** Runs `ml retrain`. @default the PBA trainer in a worker thread */
  trainer?: Trainer
  /** Trace set for `ml retrain`. @default the one beside `@dwcp/pba` */
  tracesDirectory?: string
}

/** A running `dwcp` server. */
export interface DwcpServer {
  /** The node it runs. */
  readonly node: DwcpNode
  /** The configuration as it is now (after any `config set`). */
  readonly config: DwcpConfig
  /** `http://host:port` of the plain API. */
  readonly httpUrl: string
  /** `https://host:port` of the mutual-TLS API, when `tls.enabled`. */
  readonly httpsUrl: string | undefined
  /** Resolves once the node stopped and the API closed (after `POST /v1/shutdown` or {@link DwcpServer.close}). */
  readonly closed: Promise<void>
  /** Stops the node (optionally draining) and closes the API. */
  close(options?: StopOptions): Promise<void>
}

/**
 * Starts the `dwcp` server: the node the configuration describes (its transport with the configured streams
 * and devices, its cluster state: Raft, or CRDT state and PBFT with the key files read now; TLS files loaded by
 * the transport; the session policy of `tcp_streams` and `connections_max`), and the HTTP API on
 * `server.bind_address:server.http_port`, plus HTTPS with mutual TLS on `server.https_port` when `tls.enabled`.
 *
 * @example
 * ```ts
 * const server = await startServer({ configPath: '/etc/dwcp/v3/config.yaml' })
 * await server.closed
 * ```
 */
export async function startServer(options: StartServerOptions): Promise<DwcpServer> {
  const files = options.configPath === undefined ? undefined : [options.configPath].flat()
  const config = options.config ?? (files ? await loadConfigFiles(files) : undefined)
  if (!config) throw new InvalidArgumentError('options', 'give config or configPath')
  const logger =
    options.logger ??
    jsonLogger({ level: config.logging.level, ...(config.logging.file ? { file: config.logging.file } : {}) })
  for (const warning of config.warnings) logger.warn({ ...warning }, 'configuration warning')
  const { mode, pbftKeyFiles, ...nodeOptions } = toNodeOptions(config)
  if (nodeOptions.cluster === undefined)
    throw new ConfigInvalidError(
      'cluster.members',
      'required by dwcp server: it keeps workload placements in the replicated state, which needs the cluster (this node included, or the members it joins)',
    )
  if (pbftKeyFiles)
    nodeOptions.cluster = {
      ...nodeOptions.cluster,
      pbft: readPbftKeyFiles(
        pbftKeyFiles,
        config.cluster.nodeId as string,
        config.cluster.members.map((member) => member.id),
      ),
    }
  const metrics = prometheusMetrics({ defaultLabels: { node: nodeOptions.nodeId ?? 'dwcp' } })()
  const node = createNode(mode, { ...nodeOptions, metrics, logger })
  // Before the node starts, so that the policy sees every session.
  const sessions = new SessionPolicy(
    node,
    {
      tcpStreams: config.transport.tcpStreams,
      streamsMax: config.transport.streams,
      connectionsMax: config.resources.network.connectionsMax,
    },
    logger,
  )
  const placements = new PlacementIndex()
  if (nodeOptions.cluster) node.state.observe(PLACEMENT_PREFIX, (change) => placements.apply(change))
  const workloads = new ServerWorkloads(node, join(config.cluster.dataDir, 'workloads'), logger)
  const tls = config.tls?.enabled ? resolveTlsConfig(toTlsConfig(config)) : undefined
  const token = config.server.authTokenFile ? readToken(config.server.authTokenFile) : undefined
  await node.start()

  const servers: Server[] = []
  let resolveClosed: () => void = () => {}
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve
  })
  let stopping: Promise<DrainReport | undefined> | undefined
  const running = new Map<string, Promise<unknown>>()
  const stopController = new AbortController()
  const ctx: ServerContext = {
    node,
    config,
    configFiles: files,
    logger,
    metrics: metrics as PrometheusMetrics,
    version: packageVersion(),
    startedAtMs: Date.now(),
    placements,
    sessions,
    workloads,
    trainer: options.trainer ?? workerTrainer,
    stopSignal: stopController.signal,
    async exclusive(name, operation) {
      if (running.size > 0)
        throw new HttpError(409, 'busy', `${[...running.keys()].join(', ')} is running; retry after it`)
      const promise = operation()
      running.set(name, promise)
      try {
        return await promise
      } finally {
        running.delete(name)
      }
    },
    shutdown(stopOptions) {
      stopping ??= (async () => {
        logger.info({ ...stopOptions }, 'shutting down')
        // The drain runs first, within the timeout: a workload not moved by then stays placed here.
        const drained = stopOptions.drain
          ? await drainWorkloads(node, workloads, stopOptions.timeoutMs ?? 30_000, logger)
          : undefined
        stopController.abort()
        workloads.close()
        await node.stop(stopOptions)
        // Let the reply that asked for the shutdown go out before the listeners close.
        setImmediate(() => {
          for (const server of servers) {
            server.close()
            server.closeIdleConnections()
            setTimeout(() => server.closeAllConnections(), 1000).unref()
          }
          Promise.all(servers.map((s) => new Promise((r) => s.once('close', r)))).then(() => resolveClosed())
        })
        return drained
      })()
      return stopping
    },
  }
  const handler = createApiHandler(
    ctx,
    { token, bindAddress: config.server.bindAddress, allowList: tls?.allowList },
    {
      tracesDirectory: options.tracesDirectory ?? defaultTracesDirectory(),
      modelsDirectory: join(config.cluster.dataDir, 'models'),
    },
    createObservabilityHandler({ metrics, health: () => node.health(), logger }),
  )
  try {
    const http = createHttpServer(handler)
    http.maxConnections = MAX_API_CONNECTIONS
    servers.push(http)
    const httpUrl = await listen(
      http,
      options.ports?.http ?? config.server.httpPort,
      config.server.bindAddress,
      'http',
    )
    let httpsUrl: string | undefined
    if (tls) {
      const https = createHttpsServer(serverTlsOptions(tls), handler)
      https.maxConnections = MAX_API_CONNECTIONS
      servers.push(https)
      httpsUrl = await listen(
        https,
        options.ports?.https ?? config.server.httpsPort,
        config.server.bindAddress,
        'https',
      )
    }
    logger.info({ nodeId: node.nodeId, mode: node.mode, httpUrl, httpsUrl }, 'dwcp server started')
    return {
      node,
      get config() {
        return ctx.config
      },
      httpUrl,
      httpsUrl,
      closed,
      async close(stopOptions = {}) {
        await ctx.shutdown(stopOptions)
        await closed
      },
    }
  } catch (error) {
    for (const server of servers) server.close()
    workloads.close()
    await node.stop()
    throw error
  }
}

function toTlsConfig(config: DwcpConfig): TlsConfig {
  const { tls, authentication } = config
  return {
    enabled: true,
    ...(tls?.certFile ? { certFile: tls.certFile } : {}),
    ...(tls?.keyFile ? { keyFile: tls.keyFile } : {}),
    ...(tls?.caFile ? { caFile: tls.caFile } : {}),
    ...(tls?.cipherSuites ? { cipherSuites: [...tls.cipherSuites] } : {}),
    clientCertRequired: authentication.clientCertRequired,
    allowedSubjects: [...authentication.allowedSubjects],
  }
}

/** Reads the bearer token; an empty file would make every request's empty token match, so it is refused. */
function readToken(path: string): string {
  const token = readFileSync(path, 'utf8').trim()
  if (token.length < 16)
    throw new InvalidArgumentError(
      'server.auth_token_file',
      `${path} holds fewer than 16 characters of token`,
    )
  return token
}

function listen(server: Server, port: number, host: string, scheme: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      const address = server.address() as AddressInfo
      const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address
      resolve(`${scheme}://${shown}:${address.port}`)
    })
  })
}

/** Migrates every hosted workload to the other members before a shutdown, within `timeoutMs`. */
async function drainWorkloads(
  node: DwcpNode,
  workloads: ServerWorkloads,
  timeoutMs: number,
  logger: JsonLogger,
): Promise<DrainReport> {
  const targets = node.consensus
    .members()
    .map((m) => m.id)
    .filter((id) => id !== node.nodeId)
  const report: DrainReport = { moved: [], failed: [] }
  if (workloads.hosted.size === 0) return report
  try {
    const result = await drain(node, {
      targets,
      placements: workloads.placements,
      workloads: workloads.hosted,
      signal: AbortSignal.timeout(timeoutMs),
    })
    for (const summary of result.moved) {
      workloads.release(summary.workloadId)
      report.moved.push({
        workloadId: summary.workloadId,
        to: summary.to,
        durationMs: Math.round(summary.totalMs),
        downtimeMs: Math.round(summary.downtimeMs),
      })
    }
    for (const failure of result.failed)
      report.failed.push({ workloadId: failure.workloadId, to: failure.to, error: failure.error.message })
  } catch (error) {
    // The timeout: what moved before it is placed elsewhere, the rest stays here.
    report.failed.push({
      workloadId: '*',
      to: '*',
      error: error instanceof Error ? error.message : String(error),
    })
  }
  logger.info({ moved: report.moved.length, failed: report.failed.length }, 'drained workloads')
  return report
}
