import { join, resolve } from 'node:path'
import { backupStateFile } from '@dwcp/ass-consensus'
import { loadConfigFiles } from '../config/load-config.js'
import { stageVerifiedState } from '../server/state-swap.js'
import { callApi } from './client.js'
import { type Command, print, required, UsageError } from './command.js'

/** Where the stopped server keeps its state, and whose state it is, from `--config`. */
async function stoppedServerState(command: Command) {
  const files = required(command.values, 'config')
    .split(',')
    .map((file) => file.trim())
  const config = await loadConfigFiles(files)
  const nodeId = config.cluster.nodeId
  if (nodeId === undefined)
    throw new UsageError('--offline needs cluster.node_id in the configuration (whose state.db it is)')
  // The same process serves the API and owns state.db: if the API answers, the file is in use.
  const running = await callApi({ ...command.client, onProgress: () => {} }, 'GET', '/v1/version').then(
    () => true,
    () => false,
  )
  if (running)
    throw new UsageError(
      `the server is running (it answers at ${command.client.server}): stop it first, or leave out --offline`,
    )
  return {
    path: join(config.cluster.dataDir, 'state.db'),
    owner: { nodeId, clusterId: config.cluster.clusterId },
  }
}

/**
 * `dwcp restore state --input <file> --offline --config <file>`: the runbook's disaster recovery, with the
 * service stopped. The same checks as the online restore, then the verified copy is renamed over state.db.
 */
export async function offlineRestore(command: Command): Promise<void> {
  const input = resolve(required(command.values, 'input'))
  const { path, owner } = await stoppedServerState(command)
  const staged = await stageVerifiedState(input, path, owner)
  try {
    await staged.swapIn()
  } finally {
    await staged.discard()
  }
  print(command, { ...staged.info, input, restored: true, path }, (r) => [
    `State restored from ${r.input} into ${r.path} (term ${r.term}, commit index ${r.commitIndex}); start the server`,
  ])
}

/** `dwcp backup state --output <file> --offline --config <file>`: a verified copy of a stopped server's state.db. */
export async function offlineBackup(command: Command): Promise<void> {
  const output = resolve(required(command.values, 'output'))
  const { path, owner } = await stoppedServerState(command)
  const info = await backupStateFile({ source: path, destination: output, owner })
  print(command, { ...info, output, verified: true }, (r) => [
    `Backup written: ${r.output} (${r.sizeBytes} bytes, term ${r.term}, commit index ${r.commitIndex}, verified)`,
  ])
}
