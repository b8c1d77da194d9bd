/**
 * Entry point of the `dwcp` command: `dwcp server` runs a node and its API; every other verb calls that API
 * (`--server`, default http://127.0.0.1:8080) and prints the answer, as text or with `--json` as JSON.
 * Exit codes: 0 done, 1 refused or failed (the server's message on stderr), 2 a command-line mistake.
 */

import { parseArgs } from 'node:util'
import { loadConfigFiles } from '../config/load-config.js'
import { ApiError } from './client.js'
import { type Command, OPTIONS, UsageError } from './command.js'
import { serverVerb } from './verb-server.js'
import { debugVerb, statsVerb, statusVerb, versionVerb } from './verbs-info.js'
import {
  backupVerb,
  clusterVerb,
  configVerb,
  mlVerb,
  rebalanceVerb,
  restoreVerb,
  shutdownVerb,
  workloadVerb,
} from './verbs-ops.js'

const VERBS: Record<string, (command: Command) => Promise<void>> = {
  server: serverVerb,
  status: statusVerb,
  version: versionVerb,
  backup: backupVerb,
  restore: restoreVerb,
  cluster: clusterVerb,
  rebalance: rebalanceVerb,
  config: configVerb,
  debug: debugVerb,
  stats: statsVerb,
  ml: mlVerb,
  shutdown: shutdownVerb,
  workload: workloadVerb,
}

const USAGE = `usage: dwcp <verb> [options]
  server --config <file>[,<file>...]      run a node and its HTTP API
  status | version
  backup state --output <file>            online, verified copy of state.db
  restore state --input <file>            verify a backup, then replace state.db
    (either with --offline --config <file>: on a stopped server's data directory)
  cluster join --node-id <id> --address <host:port> [--region <region>]
  rebalance --strategy=least-loaded [--dry-run]   (moves the workloads this node hosts by live migration)
  workload register --id <id> --path <image> | workload list
  config set <key>=<value> | config schema  (the JSON Schema of a config file)
  debug latency [--trace] | debug transport [--mode=rdma]
  stats compression [--detailed]
  ml retrain --component <datacenter|internet|prediction|compression>
  shutdown [--drain] [--timeout <duration>]
global: --server <url> (default http://127.0.0.1:8080) or --config <file> (the server's address and token
        file from its configuration), --token-file <file>, --cert/--key/--ca <file> (HTTPS with a client
        certificate), --json
`

/** Runs one command line; resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let command: Command
  let verb: string | undefined
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true })
    verb = positionals[0]
    if (values.help || verb === undefined) {
      process.stdout.write(USAGE)
      return values.help ? 0 : 2
    }
    if (!Object.hasOwn(VERBS, verb)) throw new UsageError(`unknown verb ${verb}`)
    const json = values.json === true
    command = {
      args: positionals.slice(1),
      values,
      json,
      out: (line) => process.stdout.write(`${line}\n`),
      client: {
        server: values.server ?? 'http://127.0.0.1:8080',
        tokenFile: values['token-file'],
        cert: values.cert,
        key: values.key,
        ca: values.ca,
        onProgress: (progress) => {
          const { progress: message, ...fields } = progress
          const extra = Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : ''
          process.stderr.write(`… ${message}${extra}\n`)
        },
      },
    }
  } catch (error) {
    process.stderr.write(`dwcp: ${(error as Error).message}\n${USAGE}`)
    return 2
  }
  try {
    if (verb !== 'server' && command.values.config !== undefined && command.values.server === undefined)
      await useConfigFiles(command, command.values.config)
    await (VERBS[verb] as (command: Command) => Promise<void>)(command)
    return 0
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`dwcp ${verb}: ${error.message}\n`)
      return 2
    }
    if (command.json && error instanceof ApiError)
      process.stdout.write(`${JSON.stringify({ error: error.body, status: error.status }, null, 2)}\n`)
    process.stderr.write(`dwcp ${verb}: ${(error as Error).message}\n`)
    return 1
  }
}

/** With `--config` instead of `--server`: the API address and token file the server's configuration names. */
async function useConfigFiles(command: Command, files: string): Promise<void> {
  const config = await loadConfigFiles(files.split(',').map((file) => file.trim()))
  const { bindAddress, httpPort, authTokenFile } = config.server
  // A server bound to every address is reachable on loopback; an IPv6 literal needs brackets in a URL.
  const host = ['0.0.0.0', '::'].includes(bindAddress) ? '127.0.0.1' : bindAddress
  command.client.server = `http://${host.includes(':') ? `[${host}]` : host}:${httpPort}`
  command.client.tokenFile ??= authTokenFile
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`dwcp: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exitCode = 1
  },
)
