/**
 * Entry points from text and files. The runbook splits one node's configuration over `config.yaml`,
 * `resources.yaml` and `security.yaml`; {@link loadConfigFiles} merges them section by section, and a key
 * set in two files is refused naming both, since which one should win is the operator's call, not ours.
 */

import { readFile, stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { ConfigInvalidError } from '@dwcp/core'
import { MAX_CONFIG_CHARS, parseYamlText } from './parse-yaml.js'
import { isMap } from './section-reader.js'
import { describeValue } from './suggest.js'
import type { DwcpConfig } from './types.js'
import { validateConfig } from './validate-config.js'

/** Options of {@link parseConfig}. */
export interface ParseConfigOptions {
  /** Name of the text in reasons and in `config.sources` (a file name). @default '<config>' */
  source?: string
}

/**
 * Parses and validates one YAML document.
 *
 * @example
 * ```ts
 * const config = parseConfig('mode: internet\ntransport:\n  tcp_streams: 8\n', { source: 'config.yaml' })
 * config.consensus.replicaCount // 4, from the internet preset
 * ```
 * @throws ConfigInvalidError with the key path and the reason
 */
export function parseConfig(text: string, options: ParseConfigOptions = {}): DwcpConfig {
  const source = options.source ?? '<config>'
  return validateConfig(parseYamlText(text, source), { sources: [source] })
}

/** Reads, parses and validates one YAML file. */
export async function loadConfigFile(path: string): Promise<DwcpConfig> {
  return loadConfigFiles([path])
}

/** Reads, parses, merges (see the module comment) and validates several YAML files, in order. */
export async function loadConfigFiles(paths: readonly string[]): Promise<DwcpConfig> {
  if (paths.length === 0) throw new ConfigInvalidError('(root)', 'no config file given')
  const documents: SourcedDocument[] = []
  for (const path of paths) documents.push({ source: path, data: parseYamlText(await readText(path), path) })
  return validateConfig(mergeDocuments(documents), { sources: paths })
}

async function readText(path: string): Promise<string> {
  try {
    // Checked before reading so that a config path pointing at a huge file is refused, not loaded.
    const info = await stat(path)
    if (!info.isFile()) throw new Error('not a regular file')
    if (info.size > MAX_CONFIG_CHARS * 4) throw new Error(`${info.size} bytes is above the size limit`)
    return await readFile(path, 'utf8')
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message
    throw new ConfigInvalidError('(root)', `cannot read ${basename(path)} (${path}): ${reason}`)
  }
}

/** One parsed file and its name. */
export interface SourcedDocument {
  /** File name (or other source) for reasons. */
  readonly source: string
  /** The parsed document. */
  readonly data: unknown
}

/**
 * Merges documents map by map. A key that is a leaf (scalar or list) in any of them may come from one
 * document only; otherwise the error names the key path and both sources.
 */
export function mergeDocuments(documents: readonly SourcedDocument[]): Record<string, unknown> {
  const merged: Record<string, unknown> = {}
  const origins = new Map<string, string>()
  for (const { source, data } of documents) {
    if (data === null || (isMap(data) && Object.keys(data).length === 0)) continue
    if (!isMap(data))
      throw new ConfigInvalidError(
        '(root)',
        `${source}: expected a map of sections, got ${describeValue(data)}`,
      )
    mergeInto(merged, data, '', source, origins)
  }
  return merged
}

function mergeInto(
  target: Record<string, unknown>,
  addition: Record<string, unknown>,
  path: string,
  source: string,
  origins: Map<string, string>,
): void {
  for (const [key, value] of Object.entries(addition)) {
    const keyPath = path === '' ? key : `${path}.${key}`
    // Own properties only, and defined rather than assigned: a `__proto__` key must stay a plain (and then
    // rejected) key, never reach or replace a prototype.
    const existing = Object.hasOwn(target, key) ? target[key] : undefined
    if (existing === undefined) {
      Object.defineProperty(target, key, {
        value: structuredClone(value),
        enumerable: true,
        writable: true,
        configurable: true,
      })
      origins.set(keyPath, source)
    } else if (isMap(existing) && isMap(value)) {
      mergeInto(existing, value, keyPath, source, origins)
    } else {
      throw new ConfigInvalidError(keyPath, `defined in both ${originOf(origins, keyPath)} and ${source}`)
    }
  }
}

/** The source that set `keyPath`, or the nearest section above it that one source set whole. */
function originOf(origins: ReadonlyMap<string, string>, keyPath: string): string {
  for (let path = keyPath; path !== ''; path = path.slice(0, Math.max(0, path.lastIndexOf('.')))) {
    const origin = origins.get(path)
    if (origin !== undefined) return origin
  }
  return 'another file'
}
