/**
 * Entry points from text and files. The runbook splits one node's configuration over several files (a shared
 * `production.yaml` and a per-mode file, or `config.yaml`, `resources.yaml` and `security.yaml`);
 * {@link loadConfigFiles} merges them in order, each later file overriding the earlier ones key by key, as
 * `dwcp server --config production.yaml,internet.yaml` lists them.
 */

import { readFile, stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { ConfigInvalidError } from '@dwcp/core'
import { MAX_CONFIG_CHARS, parseYamlText } from './parse-yaml.js'
import { isMap } from './schema-values.js'
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
 * Merges documents in order, map by map, as JSON Merge Patch (RFC 7396) applies a patch: a key a later
 * document sets replaces the earlier value (a list is replaced whole), maps merge key by key, and a later
 * document's `null` removes the key (an overlay's way of taking the default back). The first document's
 * nulls stay, for validation to report as keys without a value.
 */
export function mergeDocuments(documents: readonly SourcedDocument[]): Record<string, unknown> {
  const merged: Record<string, unknown> = {}
  documents.forEach(({ source, data }, index) => {
    if (data === null || (isMap(data) && Object.keys(data).length === 0)) return
    if (!isMap(data))
      throw new ConfigInvalidError(
        '(root)',
        `${source}: expected a map of sections, got ${describeValue(data)}`,
      )
    mergeInto(merged, data, index > 0)
  })
  return merged
}

function mergeInto(
  target: Record<string, unknown>,
  addition: Record<string, unknown>,
  overlay: boolean,
): void {
  for (const [key, value] of Object.entries(addition)) {
    // Own properties only, and defined rather than assigned: a `__proto__` key must stay a plain (and then
    // rejected) key, never reach or replace a prototype.
    const existing = Object.hasOwn(target, key) ? target[key] : undefined
    if (value === null && overlay) {
      delete target[key]
    } else if (isMap(existing) && isMap(value)) {
      mergeInto(existing, value, overlay)
    } else {
      let copy = structuredClone(value)
      // A map an overlay brings whole is merged into nothing, so its own nulls remove nothing and vanish.
      if (overlay && isMap(value)) {
        copy = {}
        mergeInto(copy as Record<string, unknown>, value, overlay)
      }
      Object.defineProperty(target, key, {
        value: copy,
        enumerable: true,
        writable: true,
        configurable: true,
      })
    }
  }
}
