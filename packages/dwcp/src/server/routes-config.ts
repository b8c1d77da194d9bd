import { readFile, rename, writeFile } from 'node:fs/promises'
import { ConfigInvalidError } from '@dwcp/core'
import { parseDocument } from 'yaml'
import { SECTION_ALIASES } from '../config/schema-keys.js'
import { setConfigValue } from '../config/set-value.js'
import type { DwcpConfig } from '../config/types.js'
import type { ServerContext } from './context.js'
import { stringField } from './http-io.js'

/** A key whose new value takes effect without a restart: whether the running server can take it, and how. */
interface RuntimeKey {
  /** Throws a config error when this value cannot be applied live (then nothing is changed or saved). */
  check?(ctx: ServerContext, config: DwcpConfig): void
  apply(ctx: ServerContext, config: DwcpConfig): void
}

/** Keys whose new value takes effect without a restart, and how. */
const RUNTIME_KEYS: Record<string, RuntimeKey> = {
  mode: { apply: (ctx, config) => ctx.node.forceMode(config.mode) },
  'logging.level': { apply: (ctx, config) => ctx.logger.setLevel(config.logging.level) },
  'transport.tcp_streams': {
    check(ctx, config) {
      const { streamsMax } = ctx.sessions.settings
      if (config.transport.tcpStreams > streamsMax)
        throw new ConfigInvalidError(
          'transport.tcp_streams',
          `${config.transport.tcpStreams} cannot be applied live: the running transport allows at most ${streamsMax} streams per session (transport.streams at start); raise transport.streams in the file and restart`,
        )
    },
    apply: (ctx, config) => ctx.sessions.setTcpStreams(config.transport.tcpStreams),
  },
  'resources.network.connections_max': {
    apply: (ctx, config) => ctx.sessions.setConnectionsMax(config.resources.network.connectionsMax),
  },
}

/**
 * `POST /v1/config {set: 'key=value'}`: validated by `setConfigValue` first (a refusal is 400 with the key path
 * and the reason, and changes nothing); then applied where the running node can take it (`mode`,
 * `logging.level`, `transport.tcp_streams`, `resources.network.connections_max`), kept for the next start
 * otherwise, and written back to the file it came from.
 */
export async function configSet(ctx: ServerContext, body: Record<string, unknown>): Promise<unknown> {
  const assignment = stringField(body, 'set') as string
  const next = setConfigValue(ctx.config, assignment)
  const keyPath = canonicalKey(assignment)
  const runtime = RUNTIME_KEYS[keyPath]
  runtime?.check?.(ctx, next)
  const persistedTo = ctx.configFiles ? await persist(ctx.configFiles, keyPath, next.raw) : null
  ctx.config = next
  const apply = runtime?.apply
  apply?.(ctx, next)
  ctx.logger.info({ keyPath, persistedTo, applied: apply !== undefined }, 'configuration changed')
  return {
    key: keyPath,
    value: valueAt(next.raw, keyPath.split('.')),
    applied: apply !== undefined,
    restartRequired: apply === undefined,
    persistedTo,
    warnings: next.warnings,
  }
}

function canonicalKey(assignment: string): string {
  const [first = '', ...rest] = assignment.slice(0, assignment.indexOf('=')).trim().split('.')
  return [Object.hasOwn(SECTION_ALIASES, first) ? SECTION_ALIASES[first] : first, ...rest].join('.')
}

function valueAt(document: unknown, path: readonly string[]): unknown {
  let value = document
  for (const segment of path) value = (value as Record<string, unknown> | undefined)?.[segment]
  return value
}

/**
 * Writes the new value into the last file that holds the key (later files override earlier ones, so an earlier
 * one would be overridden at the next start), else the last that holds its section, else the first file;
 * editing the YAML document in place so comments and the rest of the file stay as the operator wrote them;
 * written to a temporary file and renamed, so a crash leaves the old or the new file, never half of one.
 */
async function persist(files: readonly string[], keyPath: string, raw: Readonly<Record<string, unknown>>) {
  const path = keyPath.split('.')
  const texts = await Promise.all(files.map((file) => readFile(file, 'utf8')))
  const documents = texts.map((text) => parseDocument(text))
  let index = documents.findLastIndex((doc) => doc.hasIn(path))
  if (index < 0) index = documents.findLastIndex((doc) => doc.hasIn(path.slice(0, 1)))
  if (index < 0) index = 0
  const document = documents[index]
  const file = files[index]
  if (!document || !file) throw new ConfigInvalidError(keyPath, 'no configuration file to write to')
  document.setIn(path, valueAt(raw, path))
  const temporary = `${file}.tmp-${process.pid}`
  await writeFile(temporary, document.toString(), { mode: 0o640 })
  await rename(temporary, file)
  return file
}
