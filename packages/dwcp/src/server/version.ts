import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Version of the `dwcp` package: read from its package.json, found by walking up from this module, which sits
 * at a different depth in the sources and in the bundled command.
 */
export function packageVersion(): string {
  let directory = dirname(fileURLToPath(import.meta.url))
  for (let depth = 0; depth < 5; depth++) {
    try {
      const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as {
        name?: string
        version?: string
      }
      if (manifest.name === 'dwcp' && manifest.version) return manifest.version
    } catch {
      // Not here: keep walking up.
    }
    directory = dirname(directory)
  }
  return 'unknown'
}
