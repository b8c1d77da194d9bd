import { startServer } from '../server/start-server.js'
import { type Command, required } from './command.js'

/** Longest drain when the service manager stops the server (SIGTERM), in ms: systemd's default stop timeout is 90 s. */
const SIGNAL_DRAIN_TIMEOUT_MS = 60_000

/**
 * `dwcp server --config <file>[,<file>...]`: runs the node and its API until `dwcp shutdown`, SIGTERM or
 * SIGINT (both drain running transfers first). Logs go to standard output or `logging.file` as JSON lines.
 */
export async function serverVerb(command: Command): Promise<void> {
  const files = required(command.values, 'config')
    .split(',')
    .map((file) => file.trim())
    .filter((file) => file !== '')
  const server = await startServer({ configPath: files })
  const stop = (signal: string) => {
    process.stderr.write(`dwcp: ${signal}: draining and stopping\n`)
    void server.close({ drain: true, timeoutMs: SIGNAL_DRAIN_TIMEOUT_MS })
  }
  process.once('SIGTERM', () => stop('SIGTERM'))
  process.once('SIGINT', () => stop('SIGINT'))
  await server.closed
}
