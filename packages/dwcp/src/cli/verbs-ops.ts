import { resolve } from 'node:path'
import { parseDurationMs } from '../config/duration.js'
import { configJsonSchema } from '../config/json-schema.js'
import { callApi } from './client.js'
import { type Command, expectWords, print, required, UsageError } from './command.js'
import { offlineBackup, offlineRestore } from './verbs-offline.js'

type R = Record<string, unknown>

/** `dwcp backup state --output <file>`. */
export async function backupVerb(command: Command): Promise<void> {
  expectWords(command, ['state'], 'dwcp backup state --output <file> [--offline --config <file>]')
  if (command.values.offline) return offlineBackup(command)
  const output = resolve(required(command.values, 'output'))
  const result = await callApi(command.client, 'POST', '/v1/backup', { output })
  print(command, result, (r) => [
    `Backup written: ${r.output} (${r.sizeBytes} bytes, term ${r.term}, commit index ${r.commitIndex}, verified)`,
  ])
}

/** `dwcp restore state --input <file>`. */
export async function restoreVerb(command: Command): Promise<void> {
  expectWords(command, ['state'], 'dwcp restore state --input <file> [--offline --config <file>]')
  if (command.values.offline) return offlineRestore(command)
  const input = resolve(required(command.values, 'input'))
  const result = await callApi(command.client, 'POST', '/v1/restore', { input })
  print(command, result, (r) => [
    `State restored from ${r.input} (term ${r.term}, commit index ${r.commitIndex})`,
    ...(r.warning ? [`Warning: ${r.warning}`] : []),
  ])
}

/** `dwcp cluster join --node-id <id> --address <host:port> [--region <region>]`. */
export async function clusterVerb(command: Command): Promise<void> {
  expectWords(command, ['join'], 'dwcp cluster join --node-id <id> --address <address> [--region <region>]')
  const { values } = command
  const result = await callApi(command.client, 'POST', '/v1/cluster/join', {
    nodeId: required(values, 'node-id'),
    address: required(values, 'address'),
    ...(values.region ? { region: values.region } : {}),
  })
  print(command, result, (r) => [
    `Joined ${r.joined} at ${r.address}${r.region ? ` (${r.region})` : ''}`,
    `Members: ${(r.members as R[]).map((m) => m.id).join(', ')}`,
  ])
}

/** `dwcp rebalance --strategy=least-loaded [--dry-run]`. */
export async function rebalanceVerb(command: Command): Promise<void> {
  expectWords(command, [], 'dwcp rebalance --strategy=least-loaded [--dry-run]')
  const strategy = command.values.strategy ?? 'least-loaded'
  const dryRun = command.values['dry-run'] === true
  const result = await callApi(command.client, 'POST', '/v1/rebalance', { strategy, dryRun })
  print(command, result, (r) => {
    const plan = r.plan as { moves: R[]; before: R; after: R }
    const lines = [
      `Strategy: least-loaded${r.dryRun ? ' (dry run: nothing changed)' : ''}`,
      `Load before: ${formatLoad(plan.before)}`,
      `Load after:  ${formatLoad(plan.after)}`,
      plan.moves.length === 0 ? 'Balanced: no moves needed' : `Moves (${plan.moves.length}):`,
      ...plan.moves.map((m) => `  ${m.workload}: ${m.from} -> ${m.to} (${m.reason})`),
    ]
    if (r.executed) {
      for (const m of r.moved as R[])
        lines.push(
          `Moved ${m.workload} to ${m.to} in ${m.durationMs} ms (${m.rounds} rounds, downtime ${m.downtimeMs} ms, ${m.wireBytes} bytes on the wire)`,
        )
      for (const m of r.skipped as R[]) lines.push(`Skipped ${m.workload}: ${m.why}`)
      for (const m of r.failed as R[]) lines.push(`Failed ${m.workload} -> ${m.to}: ${m.error}`)
    }
    return lines
  })
  if ((result as R).executed && ((result as R).failed as R[]).length > 0) process.exitCode = 1
}

/** `dwcp workload register --id <id> --path <image>` and `dwcp workload list`. */
export async function workloadVerb(command: Command): Promise<void> {
  const [sub, ...rest] = command.args
  if (rest.length > 0 || (sub !== 'register' && sub !== 'list'))
    throw new UsageError('usage: dwcp workload register --id <id> --path <image> | dwcp workload list')
  if (sub === 'list') {
    const result = await callApi(command.client, 'GET', '/v1/workloads/list')
    print(command, result, (r) => [
      `Hosted on ${r.node}: ${(r.hosted as R[]).map((w) => `${w.id} (${w.sizeBytes} bytes)`).join(', ') || 'none'}`,
      ...Object.entries(r.placements as R).map(([id, host]) => `  ${id} -> ${host}`),
    ])
    return
  }
  const id = required(command.values, 'id')
  const path = required(command.values, 'path')
  const result = await callApi(command.client, 'POST', '/v1/workloads', { id, path })
  print(command, result, (r) => [`Registered ${r.id} (${r.sizeBytes} bytes, ${r.path}) on ${r.host}`])
}

function formatLoad(load: R): string {
  return Object.entries(load)
    .map(([host, count]) => `${host}=${count}`)
    .join(' ')
}

/** `dwcp config set key=value` (through the API), or `dwcp config schema` (offline). */
export async function configVerb(command: Command): Promise<void> {
  const [sub, assignment, ...rest] = command.args
  if (sub === 'schema' && assignment === undefined) {
    // Offline: the JSON Schema of a config file, as shipped in config.schema.json.
    command.out(JSON.stringify(configJsonSchema(), null, 2))
    return
  }
  if (sub !== 'set' || assignment === undefined || rest.length > 0)
    throw new UsageError('usage: dwcp config set key=value | dwcp config schema')
  const result = await callApi(command.client, 'POST', '/v1/config', { set: assignment })
  print(command, result, (r) => [
    `Set ${r.key} = ${JSON.stringify(r.value)}: ${r.applied ? 'applied now' : 'takes effect after a restart'}` +
      `${r.persistedTo ? `, saved to ${r.persistedTo}` : ', kept in memory (the server was not started from a file)'}`,
    ...((r.warnings as R[]) ?? []).map((w) => `Warning: ${w.keyPath}: ${w.message}`),
  ])
}

/** `dwcp ml retrain --component <datacenter|internet|prediction|compression>`. */
export async function mlVerb(command: Command): Promise<void> {
  expectWords(
    command,
    ['retrain'],
    'dwcp ml retrain --component <datacenter|internet|prediction|compression>',
  )
  const component = required(command.values, 'component')
  const result = await callApi(command.client, 'POST', '/v1/ml/retrain', { component })
  print(command, result, (r) => [
    `Retrained the ${r.model} model in ${Math.round(Number(r.durationMs) / 100) / 10} s: ${(r.files as string[]).join(', ')}`,
    `Note: ${r.note}`,
  ])
}

/** `dwcp shutdown [--drain] [--timeout 5m]`. */
export async function shutdownVerb(command: Command): Promise<void> {
  expectWords(command, [], 'dwcp shutdown [--drain] [--timeout <duration>]')
  const timeout = command.values.timeout
  let timeoutMs = 30_000
  if (timeout !== undefined) {
    try {
      timeoutMs = parseDurationMs(timeout, '--timeout')
    } catch (error) {
      throw new UsageError((error as Error).message)
    }
  }
  const drain = command.values.drain === true
  const result = await callApi(command.client, 'POST', '/v1/shutdown', { drain, timeoutMs })
  print(command, result, (r) => [
    `Node stopped${r.drain ? ` after draining (limit ${r.timeoutMs} ms)` : ''} in ${r.durationMs} ms; the server has exited`,
    ...(((r.drained as R | undefined)?.moved as R[] | undefined) ?? []).map(
      (m) => `Drained ${m.workloadId} to ${m.to} in ${m.durationMs} ms (downtime ${m.downtimeMs} ms)`,
    ),
    ...(((r.drained as R | undefined)?.failed as R[] | undefined) ?? []).map(
      (m) => `Not drained ${m.workloadId} -> ${m.to}: ${m.error}`,
    ),
  ])
}
