// Install hook for the published package: builds the addon from the shipped sources. In a source checkout
// (src/ present) the build task does this instead, where turbo caches it. Never fails the install.
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
if (!existsSync(join(root, 'src'))) await import('./build-native.mjs')
