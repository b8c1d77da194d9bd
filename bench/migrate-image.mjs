// The data and the guest of `pnpm bench migrate`: the vm-migration example's seeded VM image (zero pages,
// text-like pages, compressible binary pages and random pages) and its guest-like writer, which changes a few
// bytes in random pages at a set share of the pages per second. The image is written once to
// bench/.cache/migrate and reused by later runs (each run migrates a copy).
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { PAGE_MIX, startWriter, writeImage } from '@dwcp/example-vm-migration/guest'

export { PAGE_MIX, startWriter }

/** Bump when the recipe changes, so that cached images made by an older recipe are rebuilt. */
const RECIPE_VERSION = 1

/**
 * Returns the cached image of `sizeBytes` under `dir` (generating it on first use) with its composition.
 * @param {string} dir
 * @param {number} sizeBytes
 * @returns {{ path: string, sizeBytes: number, seed: number, pages: Record<string, number>, generatedMs: number | null }}
 */
export function ensureImage(dir, sizeBytes, seed = 42) {
  const path = `${dir}/image-${sizeBytes / 2 ** 20}MiB-seed${seed}-v${RECIPE_VERSION}.img`
  const manifest = `${path}.json`
  if (existsSync(path) && existsSync(manifest) && statSync(path).size === sizeBytes) {
    return { ...JSON.parse(readFileSync(manifest, 'utf8')), path, generatedMs: null }
  }
  const startedMs = performance.now()
  const pages = writeImage(`${path}.tmp`, sizeBytes, seed)
  renameSync(`${path}.tmp`, path)
  const info = { sizeBytes, seed, recipeVersion: RECIPE_VERSION, pages }
  writeFileSync(manifest, `${JSON.stringify(info, null, 2)}\n`)
  return { ...info, path, generatedMs: performance.now() - startedMs }
}
