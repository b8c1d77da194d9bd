/**
 * Test support: `dwcp` servers of one cluster started in-process from the shipped deploy/configs files, as
 * the service starts them (`--config production.yaml,<mode>.yaml`), plus one host file per member that
 * replaces what differs on a test machine: loopback addresses, the test CA and certificates, PBFT keys, data
 * directories, the API token and the log file. The deploy files are copied first, since `config set` writes
 * back to the file that holds a key. Not exported.
 */

import { generateKeyPairSync } from 'node:crypto'
import { copyFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { deployConfig } from '../../config/test-fixtures/expect-config-error.js'
import { freePort } from '../../test-fixtures/free-port.js'
import { type DwcpServer, startServer } from '../start-server.js'
import { makeCertificates, tempDir } from './harness.js'

/** A cluster built by {@link modeCluster}. */
export interface ModeCluster {
  /** The temporary directory holding every file. */
  readonly dir: string
  /** The running servers, by member id (members not started are absent). */
  readonly servers: Map<string, DwcpServer>
  /** The files each member was started with, by member id. */
  readonly files: Map<string, string[]>
  /** Stops every server and removes the directory. */
  close(): Promise<void>
}

/** Options of {@link modeCluster}. */
export interface ModeClusterOptions {
  /** The mode file of deploy/configs: `internet.yaml`, `hybrid.yaml`, `datacenter.yaml`. */
  modeFile: string
  /** Every member id, in order. */
  members: readonly string[]
  /** The members to start (default: all). */
  start?: readonly string[]
  /** `tcp` (default) or `ucx` listen and member addresses. */
  scheme?: 'tcp' | 'ucx'
  /** PBFT key files for every member (internet mode). */
  pbft?: boolean
  /** YAML added to every host file (e.g. `transport:\n  rdma_device: null`). */
  extra?: string
}

/** Starts the members of a cluster from production.yaml, the mode file and a host file each. */
export async function modeCluster(options: ModeClusterOptions): Promise<ModeCluster> {
  const temp = tempDir('modes')
  const { dir } = temp
  const servers = new Map<string, DwcpServer>()
  const files = new Map<string, string[]>()
  const close = async () => {
    await Promise.allSettled([...servers.values()].map((server) => server.close()))
    temp.remove()
  }
  try {
    const shared = ['production.yaml', options.modeFile].map((name) => {
      const copy = join(dir, name)
      copyFileSync(deployConfig(name), copy)
      return copy
    })
    const certs = makeCertificates(dir, options.members)
    const token = join(dir, 'api-token')
    writeFileSync(token, 'test-token-0123456789abcdef\n', { mode: 0o600 })
    const ports = new Map<string, number>()
    for (const id of options.members) ports.set(id, await freePort())
    const scheme = options.scheme ?? 'tcp'
    if (options.pbft) {
      for (const id of options.members) {
        const { privateKey, publicKey } = generateKeyPairSync('ed25519')
        writeFileSync(join(dir, `${id}.key`), privateKey.export({ type: 'pkcs8', format: 'pem' }), {
          mode: 0o600,
        })
        writeFileSync(join(dir, `${id}.pub`), publicKey.export({ type: 'spki', format: 'pem' }))
      }
    }
    const members = options.members
      .map(
        (id) =>
          `    - id: ${id}\n      address: ${scheme}://127.0.0.1:${ports.get(id)}\n      region: test-site\n` +
          (options.pbft ? `      public_key_file: ${join(dir, `${id}.pub`)}\n` : ''),
      )
      .join('')
    for (const id of options.members) {
      const cert = certs.nodes[id] as { certFile: string; keyFile: string }
      const host = join(dir, `host-${id}.yaml`)
      writeFileSync(
        host,
        `tls:
  cert_file: ${cert.certFile}
  key_file: ${cert.keyFile}
  ca_file: ${certs.caFile}
server:
  bind_address: 127.0.0.1
  auth_token_file: ${token}
cluster:
  node_id: ${id}
  data_dir: ${join(dir, `data-${id}`)}
  listen: [${scheme}://127.0.0.1:${ports.get(id)}]
  members:
${members}logging:
  level: error
  file: ${join(dir, `${id}.log`)}
${options.pbft ? `consensus:\n  private_key_file: ${join(dir, `${id}.key`)}\n` : ''}${options.extra ?? ''}`,
      )
      files.set(id, [...shared, host])
    }
    const started = await Promise.all(
      (options.start ?? options.members).map(async (id) => {
        const server = await startServer({
          configPath: files.get(id) as string[],
          ports: { http: 0, https: 0 },
        })
        return [id, server] as const
      }),
    )
    for (const [id, server] of started) servers.set(id, server)
    return { dir, servers, files, close }
  } catch (error) {
    await close()
    throw error
  }
}

/** `GET` or `POST` JSON on a server's plain API (loopback, so mutating calls are allowed). */
export async function api(
  server: DwcpServer,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${server.httpUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  })
  const text = await response.text()
  // Long operations answer JSON lines of progress before the result: the last line is the answer.
  const last = text.trim().split('\n').at(-1) ?? '{}'
  return { status: response.status, body: JSON.parse(last) as Record<string, unknown> }
}

/** Polls `probe` every 100 ms until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = await probe()
      if (value !== undefined) return value
    } catch (error) {
      last = error
    }
    if (Date.now() > deadline)
      throw new Error(`${what} did not happen within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
