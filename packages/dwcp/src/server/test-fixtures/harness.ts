/**
 * Test support for the server and CLI tests: configuration files in a temporary directory, the built `dwcp`
 * command run as a child process, and test certificates made with the openssl CLI. Not exported.
 */

import { execFile, execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')

/** The built command. */
export const CLI_PATH = join(packageDir, 'dist', 'cli.js')

function newestMs(directory: string): number {
  let newest = 0
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    // Tests and their fixtures are not in the bundle: editing them does not make it stale.
    if (entry.name.endsWith('.test.ts') || entry.name === 'test-fixtures') continue
    const path = join(directory, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMs(path) : statSync(path).mtimeMs)
  }
  return newest
}

/** Fails with the command to run when the built CLI is missing or older than its sources. */
export function requireBuiltCli(): void {
  let builtMs = 0
  try {
    builtMs = statSync(CLI_PATH).mtimeMs
  } catch {
    throw new Error('dist/cli.js is missing: run `pnpm --filter dwcp build` first')
  }
  const sourceMs = Math.max(
    newestMs(join(packageDir, 'src', 'cli')),
    newestMs(join(packageDir, 'src', 'server')),
  )
  if (builtMs < sourceMs)
    throw new Error('dist/cli.js is older than src/: run `pnpm --filter dwcp build` first')
}

/** What one run of the CLI printed and returned. */
export interface CliRun {
  code: number
  stdout: string
  stderr: string
}

/** Runs `dwcp <args>` with this Node.js; never rejects. */
export function runCli(args: readonly string[]): Promise<CliRun> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI_PATH, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
      done({ code, stdout, stderr })
    })
  })
}

/** A temporary directory, removed by `remove()`. */
export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `dwcp-${prefix}-`))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/**
 * Writes a Raft cluster configuration on the memory transport: node `a` forming a one-member cluster, or with
 * `joiner` that node joining `a`'s cluster; plus `extra` YAML. Addresses are `memory://<name>-<id>`.
 */
export function writeConfig(dir: string, name: string, extra = '', joiner?: string): string {
  const nodeId = joiner ?? 'a'
  const path = join(dir, `${name}-${nodeId}.yaml`)
  writeFileSync(
    path,
    `mode: datacenter
consensus:
  election_timeout: 50ms
cluster:
  node_id: ${nodeId}
  cluster_id: c1
  data_dir: ${join(dir, `data-${nodeId}`)}
  listen: [memory://${name}-${nodeId}]
  joining: ${joiner !== undefined}
  members:
    - id: a
      address: memory://${name}-a
logging:
  level: error
${extra}`,
  )
  return path
}

/** Certificates for the HTTPS tests: a CA, the server, an allowed client and a client outside the allow-list. */
export interface Certificates {
  caFile: string
  server: { certFile: string; keyFile: string }
  allowed: { certFile: string; keyFile: string }
  intruder: { certFile: string; keyFile: string }
  /** One certificate per name of `nodes`, `CN=<name>.datacenter.local`, for cluster members. */
  nodes: Record<string, { certFile: string; keyFile: string }>
}

const OPENSSL_CONFIG = `[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
[leaf_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth,clientAuth
`

/** Generates EC P-256 certificates with the openssl CLI into `dir`, plus one per name of `nodes`. */
export function makeCertificates(dir: string, nodes: readonly string[] = []): Certificates {
  const config = join(dir, 'openssl.cnf')
  writeFileSync(config, OPENSSL_CONFIG)
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-noenc', '-days', '2']
  const caFile = join(dir, 'ca.crt')
  const caKey = join(dir, 'ca.key')
  execFileSync(
    'openssl',
    [
      'req',
      '-config',
      config,
      '-x509',
      ...key,
      '-keyout',
      caKey,
      '-out',
      caFile,
      '-subj',
      '/O=DWCP/CN=DWCP test CA',
      '-extensions',
      'ca_ext',
    ],
    { stdio: 'pipe' },
  )
  const leaf = (name: string, commonName: string) => {
    const certFile = join(dir, `${name}.crt`)
    const keyFile = join(dir, `${name}.key`)
    execFileSync(
      'openssl',
      [
        'req',
        '-config',
        config,
        '-x509',
        '-CA',
        caFile,
        '-CAkey',
        caKey,
        ...key,
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-subj',
        `/O=DWCP/CN=${commonName}`,
        '-extensions',
        'leaf_ext',
      ],
      { stdio: 'pipe' },
    )
    return { certFile, keyFile }
  }
  return {
    caFile,
    server: leaf('server', 'node-1.datacenter.local'),
    allowed: leaf('allowed', 'node-2.datacenter.local'),
    intruder: leaf('intruder', 'intruder.example.org'),
    nodes: Object.fromEntries(
      nodes.map((name) => [name, leaf(`node-cert-${name}`, `${name}.datacenter.local`)]),
    ),
  }
}
